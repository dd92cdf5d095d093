package io.portmesh.agent.table;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The hash map of one mask group: masked key to the flows with that exact masked match, highest priority first.
 * Open addressing (linear probing) over two parallel arrays: a dense {@code int[]} of hash tags, which a probe
 * scans without touching any rule, and the {@link FlowRule}s, which are the immutable objects the data path runs.
 * A probe dereferences a rule only when its tag matches, so a lookup costs about one rule load whatever the
 * collisions, and growing the map copies references instead of rebuilding nodes.
 *
 * <p>One writer, any number of lock-free readers. The writer never changes a rule in place: it stores a new rule
 * into the slot (readers see the old or the new one, both whole, all fields final), and it publishes a new slot
 * with the rule first and the tag second (release), so a reader that sees the tag (acquire) sees the rule. A
 * removed slot keeps a DELETED tag until the next rehash, so probes that pass it still reach later slots. Growing
 * publishes a whole new pair of arrays; a reader still on the old pair sees the table as it was. Readers never
 * allocate, never wait, and probe at most the whole array.
 */
final class FlowHashMap {
    private static final int INITIAL_CAPACITY = 16;
    /** Tag of a slot never used: a probe ends there. */
    private static final int EMPTY = 0;
    /** Tag of a slot whose rule was removed: a probe goes on. */
    private static final int DELETED = 1;

    private static final VarHandle TAGS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle RULES = MethodHandles.arrayElementVarHandle(FlowRule[].class);

    /** The two arrays, published together. */
    private record Slots(int[] tags, FlowRule[] rules) {
        Slots(int capacity) {
            this(new int[capacity], new FlowRule[capacity]);
        }
    }

    private final int[] words;
    private volatile Slots slots = new Slots(INITIAL_CAPACITY);
    private int keys;
    private int deleted;

    /** @param words the key words the group's mask uses */
    FlowHashMap(int[] words) {
        this.words = words;
    }

    /** The hash as stored: never one of the two marker values. */
    static int tag(int hash) {
        return hash == EMPTY || hash == DELETED ? hash + 2 : hash;
    }

    /** Reader path: highest-priority flow whose masked match equals the masked packet key. */
    FlowRule find(long[] packetKey, long[] mask, int hash) {
        int t = tag(hash);
        int[] w = words;
        int n = w.length;
        long p0 = n > 0 ? packetKey[w[0]] & mask[w[0]] : 0;
        long p1 = n > 1 ? packetKey[w[1]] & mask[w[1]] : 0;
        Slots s = slots;
        int[] tags = s.tags;
        FlowRule[] rules = s.rules;
        int last = tags.length - 1;
        for (int i = t & last, probes = 0; probes <= last; i = (i + 1) & last, probes++) {
            int slotTag = (int) TAGS.getAcquire(tags, i);
            if (slotTag == EMPTY) {
                return null;
            }
            if (slotTag == t) {
                FlowRule r = (FlowRule) RULES.getOpaque(rules, i);
                if (r != null && r.hash == t && r.k0 == p0 && r.k1 == p1 && (n <= 2 || rest(packetKey, mask, r.key))) {
                    return r;
                }
            }
        }
        return null;
    }

    private boolean rest(long[] packetKey, long[] mask, long[] flowKey) {
        for (int i = 2; i < words.length; i++) {
            int w = words[i];
            if ((packetKey[w] & mask[w]) != flowKey[w]) {
                return false;
            }
        }
        return true;
    }

    /** Writer: the flows whose compiled value equals {@code value}, or an empty array. */
    FlowEntry[] get(long[] value, int hash) {
        int i = slotOf(value, tag(hash));
        return i < 0 ? new FlowEntry[0] : slots.rules[i].entries;
    }

    /** Writer: adds {@code e}, replacing {@code replaced} (same match and priority) when not null. */
    void put(FlowEntry e, FlowEntry replaced, int hash) {
        int t = tag(hash);
        long[] key = e.match.value;
        int i = slotOf(key, t);
        if (i >= 0) {
            FlowRule existing = slots.rules[i];
            RULES.setRelease(
                    slots.rules, i, new FlowRule(t, existing.key, words, insert(existing.entries, e, replaced)));
            return;
        }
        if (keys + deleted + 1 > slots.tags.length / 2) {
            rehash(keys + 1 > slots.tags.length / 4 ? slots.tags.length * 2 : slots.tags.length);
        }
        Slots s = slots;
        int free = freeSlot(s.tags, t);
        if (s.tags[free] == DELETED) {
            deleted--;
        }
        RULES.setRelease(s.rules, free, new FlowRule(t, key, words, new FlowEntry[] {e}));
        TAGS.setRelease(s.tags, free, t);
        keys++;
    }

    private static FlowEntry[] insert(FlowEntry[] old, FlowEntry e, FlowEntry replaced) {
        FlowEntry[] next = new FlowEntry[replaced == null ? old.length + 1 : old.length];
        int j = 0;
        boolean placed = false;
        for (FlowEntry o : old) {
            if (o == replaced) {
                continue;
            }
            if (!placed && e.priority > o.priority) {
                next[j++] = e;
                placed = true;
            }
            next[j++] = o;
        }
        if (!placed) {
            next[j] = e;
        }
        return next;
    }

    /** Writer: removes {@code e}; returns false when it was not there. */
    boolean remove(FlowEntry e, int hash) {
        int t = tag(hash);
        int i = slotOf(e.match.value, t);
        if (i < 0) {
            return false;
        }
        Slots s = slots;
        FlowRule existing = s.rules[i];
        FlowEntry[] old = existing.entries;
        FlowEntry[] next = Arrays.stream(old).filter(o -> o != e).toArray(FlowEntry[]::new);
        if (next.length == old.length) {
            return false;
        }
        if (next.length > 0) {
            RULES.setRelease(s.rules, i, new FlowRule(t, existing.key, words, next));
            return true;
        }
        TAGS.setRelease(s.tags, i, DELETED);
        RULES.setRelease(s.rules, i, null);
        keys--;
        deleted++;
        return true;
    }

    /** Writer: rebuilds the rule of {@code e}'s key after its instructions changed. */
    void refresh(FlowEntry e, int hash) {
        int t = tag(hash);
        int i = slotOf(e.match.value, t);
        if (i >= 0) {
            FlowRule existing = slots.rules[i];
            if (existing.entry == e) {
                RULES.setRelease(slots.rules, i, new FlowRule(t, existing.key, words, existing.entries));
            }
        }
    }

    void forEach(Consumer<FlowEntry> action) {
        for (FlowRule r : slots.rules) {
            if (r != null) {
                for (FlowEntry e : r.entries) {
                    action.accept(e);
                }
            }
        }
    }

    boolean isEmpty() {
        return keys == 0;
    }

    /** Writer: the slot holding exactly {@code key}, or -1. */
    private int slotOf(long[] key, int t) {
        Slots s = slots;
        int last = s.tags.length - 1;
        for (int i = t & last, probes = 0; probes <= last; i = (i + 1) & last, probes++) {
            int slotTag = s.tags[i];
            if (slotTag == EMPTY) {
                return -1;
            }
            if (slotTag == t && Arrays.equals(s.rules[i].key, key)) {
                return i;
            }
        }
        return -1;
    }

    /** The first deleted or empty slot on {@code t}'s probe path; the load limit guarantees one. */
    private static int freeSlot(int[] tags, int t) {
        int last = tags.length - 1;
        for (int i = t & last, probes = 0; probes <= last; i = (i + 1) & last, probes++) {
            if (tags[i] == EMPTY || tags[i] == DELETED) {
                return i;
            }
        }
        throw new IllegalStateException("hash map full"); // unreachable: at most half the slots are used
    }

    /** New arrays of {@code capacity} with the live rules (the same objects) and no deleted slots. */
    private void rehash(int capacity) {
        Slots old = slots;
        Slots grown = new Slots(capacity);
        for (int i = 0; i < old.tags.length; i++) {
            if (old.tags[i] != EMPTY && old.tags[i] != DELETED) {
                int j = freeSlot(grown.tags, old.tags[i]);
                grown.tags[j] = old.tags[i];
                grown.rules[j] = old.rules[i];
            }
        }
        deleted = 0;
        slots = grown;
    }
}
