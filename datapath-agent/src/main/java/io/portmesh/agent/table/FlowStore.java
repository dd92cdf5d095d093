package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;

/**
 * The writer's view of all tables: inserts and removals plus the indexes the data path does not
 * need (flows per group, flows with timeouts). Only ever used under the {@link SwitchTables} lock.
 */
final class FlowStore {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    final FlowTable[] tables;
    private final Map<GroupEntry, Set<FlowEntry>> groupRefs = new HashMap<>();
    private final Set<FlowEntry> timed = new LinkedHashSet<>();
    private final BiConsumer<FlowEntry, OFFlowRemovedReason> onRemoved;
    private FlowInstallListener installs = FlowInstallListener.NONE;
    private int count;

    FlowStore(int tableCount, BiConsumer<FlowEntry, OFFlowRemovedReason> onRemoved) {
        this.tables = new FlowTable[tableCount];
        for (int i = 0; i < tableCount; i++) {
            tables[i] = new FlowTable(i);
        }
        this.onRemoved = onRemoved;
    }

    int count() {
        return count;
    }

    void installListener(FlowInstallListener listener) {
        this.installs = listener;
    }

    /**
     * Installs {@code e}; when {@code replaced} (same table, match and priority) is not null it is
     * swapped out in one step, so no frame sees the table without either of them.
     */
    void insert(FlowEntry e, FlowEntry replaced) {
        if (replaced != null) {
            unindex(replaced);
            count--;
        }
        tables[e.tableId].insert(e, replaced);
        index(e);
        count++;
        installs.installed(e.tableId, e.cookie);
        if (replaced != null) {
            installs.removed(replaced.tableId, replaced.cookie);
        }
    }

    void remove(FlowEntry e, OFFlowRemovedReason reason) {
        FlowTable t = tables[e.tableId];
        t.remove(e);
        t.retire(e);
        unindex(e);
        count--;
        installs.removed(e.tableId, e.cookie);
        if (e.sendsFlowRemoved()) {
            onRemoved.accept(e, reason);
        }
    }

    void replaceInstructions(FlowEntry e, Instructions next, boolean resetCounts) {
        unindexGroups(e);
        e.instructions(next);
        tables[e.tableId].refresh(e);
        indexGroups(e);
        if (resetCounts) {
            tables[e.tableId].retire(e);
            e.resetCounters();
        }
    }

    int refCount(GroupEntry g) {
        Set<FlowEntry> refs = groupRefs.get(g);
        return refs == null ? 0 : refs.size();
    }

    List<FlowEntry> flowsUsing(GroupEntry g) {
        Set<FlowEntry> refs = groupRefs.get(g);
        return refs == null ? List.of() : new ArrayList<>(refs);
    }

    /**
     * Removes flows past their hard timeout, or idle for their idle timeout. Idle time is measured
     * from the expiry pass that first saw the packet count stop moving, so the data path pays no
     * clock read per frame; the price is that idle expiry is late by up to one expiry period.
     */
    int expire(long nowNanos) {
        int removed = 0;
        for (FlowEntry e : new ArrayList<>(timed)) {
            long packets = e.packets();
            if (packets != e.lastSeenPackets) {
                e.lastSeenPackets = packets;
                e.lastUsedNanos = nowNanos;
            }
            if (e.hardTimeout > 0 && nowNanos - e.createdNanos >= e.hardTimeout * NANOS_PER_SECOND) {
                remove(e, OFFlowRemovedReason.HARD_TIMEOUT);
                removed++;
            } else if (e.idleTimeout > 0 && nowNanos - e.lastUsedNanos >= e.idleTimeout * NANOS_PER_SECOND) {
                remove(e, OFFlowRemovedReason.IDLE_TIMEOUT);
                removed++;
            }
        }
        return removed;
    }

    private void index(FlowEntry e) {
        indexGroups(e);
        if (e.hasTimeout()) {
            timed.add(e);
        }
    }

    private void unindex(FlowEntry e) {
        unindexGroups(e);
        timed.remove(e);
    }

    private void indexGroups(FlowEntry e) {
        for (GroupEntry g : e.instructions().groups) {
            groupRefs.computeIfAbsent(g, k -> new LinkedHashSet<>()).add(e);
        }
    }

    private void unindexGroups(FlowEntry e) {
        for (GroupEntry g : e.instructions().groups) {
            Set<FlowEntry> refs = groupRefs.get(g);
            if (refs != null && refs.remove(e) && refs.isEmpty()) {
                groupRefs.remove(g);
            }
        }
    }
}
