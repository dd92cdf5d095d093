package io.portmesh.agent.table;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;

/**
 * A flow's instructions, compiled. Immutable: a modify swaps the whole object into the flow entry,
 * so a reader sees either the old or the new instructions, never a mix.
 *
 * <p>The data path runs the actions from {@link #applyProgram} and {@link #writeProgram}: two longs
 * per action, {@code op | port << 32} then the operand (for a group: an index into {@link
 * #groups}). One primitive array is one cache line or two, where an array of action objects is a
 * pointer chase per action; in a table too large for the cache that difference is the lookup cost.
 */
public final class Instructions {
    public static final int NO_GOTO = -1;
    private static final GroupEntry[] NO_GROUPS = new GroupEntry[0];

    /** Apply-actions, in order; empty when absent. */
    public final Act[] apply;

    public final boolean clearActions;
    /** Write-actions merged into the action set; null when absent. */
    public final Act[] write;

    public final long metadata;
    /** Zero when there is no write-metadata instruction. */
    public final long metadataMask;

    public final int gotoTable;
    /** {@link #apply} as a program; empty when absent. */
    public final long[] applyProgram;
    /** {@link #write} as a program; null when absent. */
    public final long[] writeProgram;
    /** Distinct groups the actions use: program operands, and the writer's group-to-flows index. */
    public final GroupEntry[] groups;

    /** What stats replies echo: the Loxi instruction list, or the {@link WireSource} it can be parsed from. */
    private final Object source;

    Instructions(
            Act[] apply,
            boolean clearActions,
            Act[] write,
            long metadata,
            long metadataMask,
            int gotoTable,
            Object source) {
        this.apply = apply;
        this.clearActions = clearActions;
        this.write = write;
        this.metadata = metadata;
        this.metadataMask = metadataMask;
        this.gotoTable = gotoTable;
        Set<GroupEntry> used = new LinkedHashSet<>();
        for (Act[] acts : new Act[][] {apply, write}) {
            if (acts != null) {
                for (Act a : acts) {
                    if (a.op == Act.GROUP) {
                        used.add(a.group);
                    }
                }
            }
        }
        this.groups = used.isEmpty() ? NO_GROUPS : used.toArray(new GroupEntry[0]);
        this.applyProgram = program(apply, groups);
        this.writeProgram = write == null ? null : program(write, groups);
        this.source = source instanceof List<?> list ? List.copyOf(list) : source;
    }

    /** Encodes actions as a program; group actions refer to their index in {@code groups}. */
    static long[] program(Act[] actions, GroupEntry[] groups) {
        long[] code = new long[actions.length * 2];
        for (int i = 0; i < actions.length; i++) {
            Act a = actions[i];
            code[2 * i] = (a.op & 0xFFFF_FFFFL) | ((long) a.port << 32);
            code[2 * i + 1] = a.op == Act.GROUP ? indexOf(groups, a.group) : a.value;
        }
        return code;
    }

    /** The instructions as the flow-mod carried them (stats replies echo them). */
    @SuppressWarnings("unchecked")
    List<OFInstruction> source() {
        return source instanceof WireSource wire ? wire.parse().getInstructions() : (List<OFInstruction>) source;
    }

    public static int opOf(long word) {
        return (int) word;
    }

    public static int portOf(long word) {
        return (int) (word >>> 32);
    }

    private static int indexOf(GroupEntry[] groups, GroupEntry g) {
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] == g) {
                return i;
            }
        }
        throw new IllegalStateException("group not indexed: " + g.id);
    }

    /** The out_port filter of delete and stats requests: a direct output to that port. */
    boolean outputsTo(int port) {
        return contains(apply, Act.OUTPUT, port) || contains(write, Act.OUTPUT, port);
    }

    /** The out_group filter, and the set of flows removed with a group. */
    boolean usesGroup(int groupId) {
        return containsGroup(apply, groupId) || containsGroup(write, groupId);
    }

    private static boolean contains(Act[] acts, int op, int port) {
        if (acts != null) {
            for (Act a : acts) {
                if (a.op == op && a.port == port) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean containsGroup(Act[] acts, int groupId) {
        if (acts != null) {
            for (Act a : acts) {
                if (a.op == Act.GROUP && a.group.id == groupId) {
                    return true;
                }
            }
        }
        return false;
    }
}
