package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFGroupStatsEntry;
import org.projectfloodlight.openflow.protocol.OFGroupStatsRequest;
import org.projectfloodlight.openflow.protocol.OFTableFeatures;
import org.projectfloodlight.openflow.protocol.OFTableStatsEntry;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.TableId;

/**
 * The switch's flow tables and group table. Writers (flow-mods, group-mods, expiry, stats) take
 * one lock; the data path reads {@link #table(int)} without any lock: each table publishes its
 * classifier through volatile references, so a frame never waits for a flow-mod.
 */
public final class SwitchTables {
    public static final int DEFAULT_TABLE_COUNT = 4;
    private static final int TABLE_ALL = TableId.ALL.getValue() & 0xFF;

    private final OFFactory factory = OFFactories.getFactory(OFVersion.OF_13);
    private final LongSupplier clock;
    private final FlowRemovedListener listener;
    private final OfReplies replies = new OfReplies(factory);
    private final ErrorMessages errors = new ErrorMessages(factory);
    private final GroupTable groups;
    private final ActionCompiler compiler;
    private final FlowStore store;
    private final FlowModProcessor flowMods;

    public SwitchTables(int tableCount, FlowRemovedListener listener) {
        this(tableCount, listener, System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds, the same clock the caller passes to {@link #expire} */
    public SwitchTables(int tableCount, FlowRemovedListener listener, LongSupplier nanoClock) {
        if (tableCount < 1 || tableCount > TABLE_ALL) {
            throw new IllegalArgumentException("table count must be 1.." + TABLE_ALL + ": " + tableCount);
        }
        this.clock = nanoClock;
        this.listener = listener;
        this.groups = new GroupTable(nanoClock);
        this.compiler = new ActionCompiler(groups::get);
        this.store = new FlowStore(tableCount, this::notifyRemoved);
        this.flowMods = new FlowModProcessor(store, compiler, nanoClock);
    }

    /**
     * Tells {@code listener} about every flow installed or removed from now on (one listener; flows installed before
     * are not reported, so set it before the first flow-mod).
     */
    public synchronized void setInstallListener(FlowInstallListener listener) {
        store.installListener(listener == null ? FlowInstallListener.NONE : listener);
    }

    public Optional<OFErrorMsg> apply(OFFlowMod mod) {
        return apply(new LoxiFlowMod(mod));
    }

    /** A flow-mod read straight from the wire by {@link FlowModWireDecoder}: the same checks, the same errors. */
    public Optional<OFErrorMsg> apply(WireFlowMod mod) {
        return apply((FlowModRequest) mod);
    }

    private synchronized Optional<OFErrorMsg> apply(FlowModRequest mod) {
        try {
            flowMods.apply(mod);
            return Optional.empty();
        } catch (Rejection r) {
            return Optional.of(errors.build(r, mod.xid, mod.errorData()));
        }
    }

    public synchronized Optional<OFErrorMsg> apply(OFGroupMod mod) {
        try {
            groups.apply(mod, compiler, this::removeFlowsOf);
            return Optional.empty();
        } catch (Rejection r) {
            return Optional.of(errors.build(r, mod));
        }
    }

    public synchronized List<OFFlowStatsEntry> flowStats(OFFlowStatsRequest req) {
        FlowMatch match;
        try {
            match = MatchCompiler.compile(req.getMatch(), false);
        } catch (Rejection unsupported) {
            return List.of(); // no installed flow can match on a field this switch does not know
        }
        Predicate<FlowEntry> filter = FlowModProcessor.cookieFilter(
                        req.getCookie().getValue(), req.getCookieMask().getValue())
                .and(FlowModProcessor.outFilter(
                        req.getOutPort() == null
                                ? FlowModRequest.ANY
                                : req.getOutPort().getPortNumber(),
                        req.getOutGroup() == null
                                ? FlowModRequest.ANY
                                : req.getOutGroup().getGroupNumber()));
        int tableId = req.getTableId().getValue() & 0xFF;
        long now = clock.getAsLong();
        List<OFFlowStatsEntry> out = new ArrayList<>();
        for (FlowTable t : store.tables) {
            if (tableId == TABLE_ALL || tableId == t.id) {
                for (FlowEntry e : t.findCovered(match, filter)) {
                    out.add(replies.flowStats(e, now));
                }
            }
        }
        return out;
    }

    public synchronized List<OFGroupStatsEntry> groupStats(OFGroupStatsRequest req) {
        int id = req.getGroup().getGroupNumber();
        long now = clock.getAsLong();
        List<OFGroupStatsEntry> out = new ArrayList<>();
        for (GroupEntry g : groups.all()) {
            if (id == OFGroup.ALL.getGroupNumber() || id == g.id) {
                out.add(replies.groupStats(g, store.refCount(g), now));
            }
        }
        return out;
    }

    public synchronized List<OFGroupDescStatsEntry> groupDesc() {
        return groups.all().stream().map(replies::groupDesc).toList();
    }

    public synchronized List<OFTableStatsEntry> tableStats() {
        List<OFTableStatsEntry> out = new ArrayList<>();
        for (FlowTable t : store.tables) {
            out.add(replies.tableStats(t));
        }
        return out;
    }

    /** The OFPMP_TABLE_FEATURES entries: what every table accepts. */
    public List<OFTableFeatures> tableFeatures() {
        return TableFeatures.of(factory, tableCount());
    }

    /** Removes timed-out flows; call it periodically (its period bounds idle-timeout lateness). */
    public synchronized int expire(long nowNanos) {
        return store.expire(nowNanos);
    }

    public synchronized int flowCount() {
        return store.count();
    }

    public int tableCount() {
        return store.tables.length;
    }

    /** Data path: a table to look frames up in; safe from any thread without locking. */
    public FlowTable table(int id) {
        return store.tables[id];
    }

    /** Compiles packet-out actions against the current group table. */
    public ActionCompiler actionCompiler() {
        return compiler;
    }

    private void removeFlowsOf(GroupEntry g) {
        for (FlowEntry e : store.flowsUsing(g)) {
            store.remove(e, OFFlowRemovedReason.GROUP_DELETE);
        }
    }

    private void notifyRemoved(FlowEntry e, OFFlowRemovedReason reason) {
        listener.flowRemoved(replies.flowRemoved(e, reason, clock.getAsLong()));
    }
}
