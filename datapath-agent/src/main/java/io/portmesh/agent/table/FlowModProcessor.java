package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
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
    void apply(FlowModRequest mod) {
        if (mod.bufferId != FlowModRequest.NO_BUFFER) {
            throw Rejection.badRequest(OFBadRequestCode.BUFFER_UNKNOWN); // this switch buffers nothing
        }
        switch (mod.command) {
            case ADD -> add(mod);
            case MODIFY -> modify(mod, false);
            case MODIFY_STRICT -> modify(mod, true);
            case DELETE -> delete(mod, false);
            case DELETE_STRICT -> delete(mod, true);
            default -> throw Rejection.flowModFailed(OFFlowModFailedCode.BAD_COMMAND);
        }
    }

    private void add(FlowModRequest mod) {
        FlowTable table = table(mod);
        FlowMatch match = mod.match(true);
        Instructions instructions = mod.instructions(compiler, table.id, store.tables.length);
        int priority = mod.priority;
        if (mod.has(FlowModRequest.CHECK_OVERLAP) && table.overlaps(match, priority)) {
            throw Rejection.flowModFailed(OFFlowModFailedCode.OVERLAP);
        }
        FlowEntry existing = table.findStrict(match, priority);
        if (existing == null && table.size() >= MAX_FLOWS_PER_TABLE) {
            throw Rejection.flowModFailed(OFFlowModFailedCode.TABLE_FULL);
        }
        FlowEntry e = new FlowEntry(
                table.id,
                priority,
                mod.cookie,
                match,
                mod.idleTimeout,
                mod.hardTimeout,
                mod.flags,
                clock.getAsLong(),
                instructions);
        if (existing != null) {
            // An identical flow is replaced (duration restarts); counters carry over unless reset.
            if (mod.has(FlowModRequest.RESET_COUNTS)) {
                table.retire(existing);
            } else {
                e.copyCountersFrom(existing);
            }
        }
        store.insert(e, existing);
    }

    private void modify(FlowModRequest mod, boolean strict) {
        FlowTable table = table(mod);
        FlowMatch match = mod.match(true);
        Instructions instructions = mod.instructions(compiler, table.id, store.tables.length);
        Predicate<FlowEntry> cookie = cookieFilter(mod.cookie, mod.cookieMask);
        boolean reset = mod.has(FlowModRequest.RESET_COUNTS);
        // OpenFlow 1.3: no match is no error and adds nothing; cookie, timeouts and flags stay.
        for (FlowEntry e : select(table, match, mod.priority, strict, cookie)) {
            store.replaceInstructions(e, instructions, reset);
        }
    }

    private void delete(FlowModRequest mod, boolean strict) {
        FlowMatch match = mod.match(false);
        Predicate<FlowEntry> filter =
                cookieFilter(mod.cookie, mod.cookieMask).and(outFilter(mod.outPort, mod.outGroup));
        List<FlowEntry> victims = new ArrayList<>();
        if (mod.tableId == TABLE_ALL) {
            for (FlowTable t : store.tables) {
                victims.addAll(select(t, match, mod.priority, strict, filter));
            }
        } else {
            victims.addAll(select(table(mod), match, mod.priority, strict, filter));
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

    /** The out_port and out_group filters of delete and stats requests; {@code ANY} selects every flow. */
    static Predicate<FlowEntry> outFilter(int outPort, int outGroup) {
        Predicate<FlowEntry> p = e -> true;
        if (outPort != FlowModRequest.ANY) {
            p = p.and(e -> e.instructions().outputsTo(outPort));
        }
        if (outGroup != FlowModRequest.ANY) {
            p = p.and(e -> e.instructions().usesGroup(outGroup));
        }
        return p;
    }

    private FlowTable table(FlowModRequest mod) {
        int id = mod.tableId;
        if (id >= store.tables.length) {
            throw Rejection.flowModFailed(OFFlowModFailedCode.BAD_TABLE_ID);
        }
        return store.tables[id];
    }
}
