package io.portmesh.agent.io;

/**
 * Told of a port's administrative state changes, with when they took effect, so that "the two trunks of a host were
 * never both up" can be checked afterwards ({@link TrunkStateLog}). Called under the port's lock, in the order of the
 * changes; implementations must not block.
 */
public interface AdminStateObserver {
    AdminStateObserver NONE = new AdminStateObserver() {
        @Override
        public void adminStateChanged(boolean up, long atNanos) {}

        @Override
        public void portClosed(long atNanos) {}
    };

    /** Tells {@code first}, then {@code second}. */
    static AdminStateObserver both(AdminStateObserver first, AdminStateObserver second) {
        return new AdminStateObserver() {
            @Override
            public void adminStateChanged(boolean up, long atNanos) {
                first.adminStateChanged(up, atNanos);
                second.adminStateChanged(up, atNanos);
            }

            @Override
            public void portClosed(long atNanos) {
                first.portClosed(atNanos);
                second.portClosed(atNanos);
            }
        };
    }

    /**
     * @param atNanos {@link System#nanoTime()} taken on the safe side of the change: before a port that comes up could
     *     forward anything, after a port that goes down stopped forwarding; so the intervals these times bracket contain
     *     the port's real up-intervals
     */
    void adminStateChanged(boolean up, long atNanos);

    /** The port was closed while administratively up: it forwards nothing from {@code atNanos} on. */
    void portClosed(long atNanos);
}
