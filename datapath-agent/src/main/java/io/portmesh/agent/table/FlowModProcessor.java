package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;

/** OpenFlow 1.3 section 6.4: add, modify, modify-strict, delete and delete-strict. */
final class FlowModProcessor {
    static final int MAX_FLOWS_PER_TABLE = 1 << 20;
    private static final int TABLE_ALL = TableId.ALL.getValue() & 0xFF;

    private final FlowStore store;
    private final ActionCompiler compiler;
    private final LongSupplier clock;

    FlowModProcessor(FlowStore store, ActionCompiler compiler, LongSupplier clock) {
        this.store = store;
        this.compiler = compiler;
        this.clock = clock;
    }

    /** Applies {@code mod} or throws the {@link Rejection} to report; nothing changes on rejection. */
    void apply(OFFlowMod mod) {
        if (!OFBufferId.NO_BUFFER.equals(mod.getBufferId())) {
            throw Rejection.badRequest(OFBadRequestCode.BUFFER_UNKNOWN); // this switch buffers nothing
        }
        switch (mod.getCommand()) {
            case ADD -> add(mod);
            case MODIFY -> modify(mod, false);
            case MODIFY_STRICT -> modify(mod, true);
            case DELETE -> delete(mod, false);
            case DELETE_STRICT -> delete(mod, true);
            default -> throw Rejection.flowModFailed(OFFlowModFailedCode.BAD_COMMAND);
        }
    }

    private void add(OFFlowMod mod) {
        FlowTable table = table(mod);
        FlowMatch match = MatchCompiler.compile(mod.getMatch(), true);
        Instructions instructions = compiler.instructions(mod.getInstructions(), table.id, store.tables.length);
        int priority = mod.getPriority();
        if (mod.getFlags().contains(OFFlowModFlags.CHECK_OVERLAP) && table.overlaps(match, priority)) {
            throw Rejection.flowModFailed(OFFlowModFailedCode.OVERLAP);
        }
        FlowEntry existing = table.findStrict(match, priority);
        if (existing == null && table.size() >= MAX_FLOWS_PER_TABLE) {
            throw Rejection.flowModFailed(OFFlowModFailedCode.TABLE_FULL);
        }
        FlowEntry e = new FlowEntry(
                table.id,
                priority,
                mod.getCookie().getValue(),
                match,
                mod.getIdleTimeout(),
                mod.getHardTimeout(),
                mod.getFlags(),
                clock.getAsLong(),
                instructions);
        if (existing != null) {
            // An identical flow is replaced (duration restarts); counters carry over unless reset.
            if (mod.getFlags().contains(OFFlowModFlags.RESET_COUNTS)) {
                table.retire(existing);
            } else {
                e.copyCountersFrom(existing);
            }
        }
        store.insert(e, existing);
    }

    private void modify(OFFlowMod mod, boolean strict) {
        FlowTable table = table(mod);
        FlowMatch match = MatchCompiler.compile(mod.getMatch(), true);
        Instructions instructions = compiler.instructions(mod.getInstructions(), table.id, store.tables.length);
        Predicate<FlowEntry> cookie = cookieFilter(mod);
        boolean reset = mod.getFlags().contains(OFFlowModFlags.RESET_COUNTS);
        // OpenFlow 1.3: no match is no error and adds nothing; cookie, timeouts and flags stay.
        for (FlowEntry e : select(table, match, mod.getPriority(), strict, cookie)) {
            store.replaceInstructions(e, instructions, reset);
        }
    }

    private void delete(OFFlowMod mod, boolean strict) {
        int tableId = mod.getTableId().getValue() & 0xFF;
        FlowMatch match = MatchCompiler.compile(mod.getMatch(), false);
        Predicate<FlowEntry> filter = cookieFilter(mod).and(outFilter(mod.getOutPort(), mod.getOutGroup()));
        List<FlowEntry> victims = new ArrayList<>();
        if (tableId == TABLE_ALL) {
            for (FlowTable t : store.tables) {
                victims.addAll(select(t, match, mod.getPriority(), strict, filter));
            }
        } else {
            victims.addAll(select(table(mod), match, mod.getPriority(), strict, filter));
        }
        for (FlowEntry e : victims) {
            store.remove(e, OFFlowRemovedReason.DELETE);
        }
    }

    static List<FlowEntry> select(
            FlowTable table, FlowMatch match, int priority, boolean strict, Predicate<FlowEntry> filter) {
        if (!strict) {
            return table.findCovered(match, filter);
        }
        FlowEntry e = table.findStrict(match, priority);
        return e != null && filter.test(e) ? List.of(e) : List.of();
    }

    static Predicate<FlowEntry> cookieFilter(long cookie, long cookieMask) {
        if (cookieMask == 0) {
            return e -> true;
        }
        long want = cookie & cookieMask;
        return e -> (e.cookie & cookieMask) == want;
    }

    static Predicate<FlowEntry> outFilter(OFPort outPort, OFGroup outGroup) {
        Predicate<FlowEntry> p = e -> true;
        if (outPort != null && !OFPort.ANY.equals(outPort)) {
            int port = outPort.getPortNumber();
            p = p.and(e -> e.instructions().outputsTo(port));
        }
        if (outGroup != null && !OFGroup.ANY.equals(outGroup)) {
            int group = outGroup.getGroupNumber();
            p = p.and(e -> e.instructions().usesGroup(group));
        }
        return p;
    }

    private static Predicate<FlowEntry> cookieFilter(OFFlowMod mod) {
        return cookieFilter(mod.getCookie().getValue(), mod.getCookieMask().getValue());
    }

    private FlowTable table(OFFlowMod mod) {
        int id = mod.getTableId().getValue() & 0xFF;
        if (id >= store.tables.length) {
            throw Rejection.flowModFailed(OFFlowModFailedCode.BAD_TABLE_ID);
        }
        return store.tables[id];
    }
}
