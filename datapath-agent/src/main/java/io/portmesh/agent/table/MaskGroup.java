package io.portmesh.agent.table;

import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * All flows of one table that share one mask (one "tuple" of the tuple space search). A lookup in
 * the group is one masked hash probe, whatever the number of flows in it.
 */
final class MaskGroup {
    final long[] mask;
    final int[] words;
    private final FlowHashMap map;
    /** Writer-side priority histogram, so the group's maximum is known after removals. */
    private final TreeMap<Integer, Integer> priorities = new TreeMap<>();

    MaskGroup(long[] mask) {
        this.mask = mask.clone();
        int n = 0;
        for (long m : mask) {
            if (m != 0) {
                n++;
            }
        }
        this.words = new int[n];
        int j = 0;
        for (int w = 0; w < mask.length; w++) {
            if (mask[w] != 0) {
                words[j++] = w;
            }
        }
        this.map = new FlowHashMap(words);
    }

    FlowRule find(long[] packetKey) {
        return map.find(packetKey, mask, KeyLayout.hash(packetKey, mask, words));
    }

    /** Writer: flows with exactly this match (any priority), highest priority first. */
    FlowEntry[] exact(FlowMatch match) {
        return map.get(match.value, hashOf(match));
    }

    void put(FlowEntry e, FlowEntry replaced) {
        map.put(e, replaced, hashOf(e.match));
        if (replaced == null) {
            priorities.merge(e.priority, 1, Integer::sum);
        }
    }

    boolean remove(FlowEntry e) {
        if (!map.remove(e, hashOf(e.match))) {
            return false;
        }
        priorities.computeIfPresent(e.priority, (p, c) -> c == 1 ? null : c - 1);
        return true;
    }

    void refresh(FlowEntry e) {
        map.refresh(e, hashOf(e.match));
    }

    int maxPriority() {
        return priorities.isEmpty() ? -1 : priorities.lastKey();
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    void forEach(Consumer<FlowEntry> action) {
        map.forEach(action);
    }

    private int hashOf(FlowMatch m) {
        return KeyLayout.hash(m.value, mask, words);
    }
}
