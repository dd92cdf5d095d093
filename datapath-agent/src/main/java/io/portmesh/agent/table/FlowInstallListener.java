package io.portmesh.agent.table;

/**
 * Told about every flow that enters or leaves a table (add, replace, delete, expiry, group delete), by its table and
 * cookie. Called by the writer under the {@link SwitchTables} lock (the agent's control thread), so it must be quick
 * and must not call back into the tables. A flow replaced by an identical add is reported installed (the new entry)
 * before removed (the old one), so a watcher that counts flows never sees the count drop to zero in between.
 */
public interface FlowInstallListener {
    FlowInstallListener NONE = new FlowInstallListener() {
        @Override
        public void installed(int tableId, long cookie) {}

        @Override
        public void removed(int tableId, long cookie) {}
    };

    void installed(int tableId, long cookie);

    void removed(int tableId, long cookie);
}
