package io.portmesh.agent.table;

/**
 * What a lookup returns: an immutable snapshot of the highest-priority flow for one masked key,
 * which is also what the mask group's hash map stores. It carries everything the data path needs
 * (priority, goto, metadata, and its own copies of the action programs, allocated right after it)
 * so that a hit in a table too big for the cache costs about one cache miss, not one per object.
 * The writer builds a new rule whenever the flow's instructions change.
 */
public final class FlowRule {
    final int hash;
    final long k0;
    final long k1;
    /** The full compiled value, for the writer and for masks of more than two words. */
    final long[] key;

    final FlowEntry[] entries;

    /** The flow this rule runs; its counters and cookie. */
    public final FlowEntry entry;

    public final int priority;
    public final int gotoTable;
    public final boolean clearActions;
    public final long metadata;
    public final long metadataMask;
    public final long[] applyProgram;
    /** Null when the flow has no write-actions. */
    public final long[] writeProgram;

    public final GroupEntry[] groups;

    FlowRule(int hash, long[] key, int[] words, FlowEntry[] entries) {
        this.hash = hash;
        this.key = key;
        this.k0 = words.length > 0 ? key[words[0]] : 0;
        this.k1 = words.length > 1 ? key[words[1]] : 0;
        this.entries = entries;
        FlowEntry top = entries[0];
        Instructions ins = top.instructions();
        this.entry = top;
        this.priority = top.priority;
        this.gotoTable = ins.gotoTable;
        this.clearActions = ins.clearActions;
        this.metadata = ins.metadata;
        this.metadataMask = ins.metadataMask;
        this.groups = ins.groups;
        // Copies, so that the programs sit next to the rule in memory.
        this.applyProgram = ins.applyProgram.clone();
        this.writeProgram = ins.writeProgram == null ? null : ins.writeProgram.clone();
    }
}
