package io.portmesh.agent.table;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The hash map of one mask group: masked key to the flows with that exact masked match, highest
 * priority first. One writer, any number of lock-free readers: chains are immutable nodes, the
 * writer builds a new chain and publishes it with a volatile store into the bucket array, and a
 * resize publishes a whole new array. A reader never allocates and never waits.
 *
 * <p>The chain nodes are the {@link FlowRule}s the data path runs: a hit needs no further object.
 */
final class FlowHashMap {
    private static final int INITIAL_CAPACITY = 16;

    private final int[] words;
    private volatile AtomicReferenceArray<FlowRule> buckets = new AtomicReferenceArray<>(INITIAL_CAPACITY);
    private int keys;

    /** @param words the key words the group's mask uses */
    FlowHashMap(int[] words) {
        this.words = words;
    }

    /** Reader path: highest-priority flow whose masked match equals the masked packet key. */
    FlowRule find(long[] packetKey, long[] mask, int hash) {
        int[] w = words;
        int n = w.length;
        long p0 = n > 0 ? packetKey[w[0]] & mask[w[0]] : 0;
        long p1 = n > 1 ? packetKey[w[1]] & mask[w[1]] : 0;
        AtomicReferenceArray<FlowRule> b = buckets;
        for (FlowRule node = b.get(hash & (b.length() - 1)); node != null; node = node.next) {
            if (node.hash == hash && node.k0 == p0 && node.k1 == p1 && (n <= 2 || rest(packetKey, mask, node.key))) {
                return node;
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
        FlowRule n = node(value, hash);
        return n == null ? new FlowEntry[0] : n.entries;
    }

    /** Writer: adds {@code e}, replacing {@code replaced} (same match and priority) when not null. */
    void put(FlowEntry e, FlowEntry replaced, int hash) {
        long[] key = e.match.value;
        AtomicReferenceArray<FlowRule> b = buckets;
        int slot = hash & (b.length() - 1);
        FlowRule head = b.get(slot);
        FlowRule existing = node(head, key, hash);
        if (existing == null) {
            b.set(slot, new FlowRule(hash, key, words, new FlowEntry[] {e}, head));
            if (++keys > b.length() * 3 / 4) {
                resize();
            }
            return;
        }
        FlowEntry[] old = existing.entries;
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
        b.set(slot, rebuild(head, existing, new FlowRule(hash, key, words, next, existing.next)));
    }

    /** Writer: removes {@code e}; returns false when it was not there. */
    boolean remove(FlowEntry e, int hash) {
        AtomicReferenceArray<FlowRule> b = buckets;
        int slot = hash & (b.length() - 1);
        FlowRule head = b.get(slot);
        FlowRule existing = node(head, e.match.value, hash);
        if (existing == null) {
            return false;
        }
        FlowEntry[] old = existing.entries;
        FlowEntry[] next = Arrays.stream(old).filter(o -> o != e).toArray(FlowEntry[]::new);
        if (next.length == old.length) {
            return false;
        }
        FlowRule replacement =
                next.length == 0 ? existing.next : new FlowRule(hash, existing.key, words, next, existing.next);
        b.set(slot, rebuild(head, existing, replacement));
        if (next.length == 0) {
            keys--;
        }
        return true;
    }

    /** Writer: rebuilds the rule of {@code e}'s key after its instructions changed. */
    void refresh(FlowEntry e, int hash) {
        AtomicReferenceArray<FlowRule> b = buckets;
        int slot = hash & (b.length() - 1);
        FlowRule head = b.get(slot);
        FlowRule existing = node(head, e.match.value, hash);
        if (existing != null && existing.entry == e) {
            b.set(slot, rebuild(head, existing, existing.withNext(existing.next, words)));
        }
    }

    void forEach(Consumer<FlowEntry> action) {
        AtomicReferenceArray<FlowRule> b = buckets;
        for (int i = 0; i < b.length(); i++) {
            for (FlowRule n = b.get(i); n != null; n = n.next) {
                for (FlowEntry e : n.entries) {
                    action.accept(e);
                }
            }
        }
    }

    boolean isEmpty() {
        return keys == 0;
    }

    private FlowRule node(long[] key, int hash) {
        AtomicReferenceArray<FlowRule> b = buckets;
        return node(b.get(hash & (b.length() - 1)), key, hash);
    }

    private static FlowRule node(FlowRule head, long[] key, int hash) {
        for (FlowRule n = head; n != null; n = n.next) {
            if (n.hash == hash && Arrays.equals(n.key, key)) {
                return n;
            }
        }
        return null;
    }

    /** Copies the chain in front of {@code target} so the published chain stays immutable. */
    private FlowRule rebuild(FlowRule head, FlowRule target, FlowRule replacement) {
        if (head == target) {
            return replacement;
        }
        return head.withNext(rebuild(head.next, target, replacement), words);
    }

    private void resize() {
        AtomicReferenceArray<FlowRule> old = buckets;
        AtomicReferenceArray<FlowRule> grown = new AtomicReferenceArray<>(old.length() * 2);
        int mask = grown.length() - 1;
        for (int i = 0; i < old.length(); i++) {
            for (FlowRule n = old.get(i); n != null; n = n.next) {
                int slot = n.hash & mask;
                grown.set(slot, n.withNext(grown.get(slot), words));
            }
        }
        buckets = grown;
    }
}
