package io.portmesh.agent.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One flow table as a tuple space: one {@link MaskGroup} per distinct mask, probed in order of the
 * group's highest priority, stopping as soon as no remaining group can beat the best hit. The cost
 * of a lookup grows with the number of distinct masks, not with the number of flows.
 */
public final class FlowTable {
    public final int id;
    private final Map<MaskKey, MaskGroup> byMask = new HashMap<>();
    private volatile Classifier classifier = new Classifier(new MaskGroup[0], new int[0]);
    private int size;
    private final LongAdder misses = new LongAdder();
    /** Matched packets of flows no longer in the table, so table stats do not go backwards. */
    private long retiredMatches;

    FlowTable(int id) {
        this.id = id;
    }

    /** The probe order, published as one immutable object. */
    private record Classifier(MaskGroup[] groups, int[] maxPriority) {}

    /** Data path: highest-priority flow matching {@code key}, or null on a table miss. */
    public FlowRule lookup(long[] key) {
        Classifier c = classifier;
        MaskGroup[] groups = c.groups;
        int[] max = c.maxPriority;
        FlowRule best = null;
        int bestPriority = -1;
        for (int i = 0; i < groups.length && max[i] > bestPriority; i++) {
            FlowRule e = groups[i].find(key);
            if (e != null && e.priority > bestPriority) {
                best = e;
                bestPriority = e.priority;
            }
        }
        return best;
    }

    /** Data path: counts a frame that matched nothing here. */
    public void miss() {
        misses.increment();
    }

    int size() {
        return size;
    }

    long lookupCount() {
        return matchedCount() + misses.sum();
    }

    long matchedCount() {
        long[] sum = {retiredMatches};
        forEach(e -> sum[0] += e.packets());
        return sum[0];
    }

    void retire(FlowEntry gone) {
        retiredMatches += gone.packets();
    }

    /** The flow with exactly this match and priority, or null. */
    FlowEntry findStrict(FlowMatch match, int priority) {
        MaskGroup g = byMask.get(new MaskKey(match.mask));
        if (g == null) {
            return null;
        }
        for (FlowEntry e : g.exact(match)) {
            if (e.priority == priority) {
                return e;
            }
        }
        return null;
    }

    /** Flows that {@code match} covers (non-strict selection), filtered further by {@code filter}. */
    List<FlowEntry> findCovered(FlowMatch match, Predicate<FlowEntry> filter) {
        List<FlowEntry> out = new ArrayList<>();
        for (MaskGroup g : byMask.values()) {
            if (!match.maskWithin(g.mask)) {
                continue; // flows of this group wildcard a bit the request needs: none is covered
            }
            if (Arrays.equals(g.mask, match.mask)) {
                for (FlowEntry e : g.exact(match)) {
                    if (filter.test(e)) {
                        out.add(e);
                    }
                }
            } else {
                g.forEach(e -> {
                    if (match.covers(e.match) && filter.test(e)) {
                        out.add(e);
                    }
                });
            }
        }
        return out;
    }

    /** A flow of the same priority that some packet could match together with {@code match}. */
    boolean overlaps(FlowMatch match, int priority) {
        boolean[] found = {false};
        for (MaskGroup g : byMask.values()) {
            if (g.maxPriority() < priority) {
                continue;
            }
            g.forEach(e -> found[0] |= e.priority == priority && e.match.overlaps(match));
            if (found[0]) {
                return true;
            }
        }
        return false;
    }

    void insert(FlowEntry e, FlowEntry replaced) {
        MaskKey key = new MaskKey(e.match.mask);
        MaskGroup g = byMask.get(key);
        boolean newGroup = g == null;
        if (newGroup) {
            g = new MaskGroup(e.match.mask);
            byMask.put(key, g);
        }
        e.match.shareMask(g.mask);
        int before = g.maxPriority();
        g.put(e, replaced);
        if (replaced == null) {
            size++;
        }
        if (newGroup || g.maxPriority() != before) {
            republish();
        }
    }

    void remove(FlowEntry e) {
        MaskKey key = new MaskKey(e.match.mask);
        MaskGroup g = byMask.get(key);
        if (g == null) {
            return;
        }
        int before = g.maxPriority();
        if (!g.remove(e)) {
            return;
        }
        size--;
        if (g.isEmpty()) {
            byMask.remove(key);
            republish();
        } else if (g.maxPriority() != before) {
            republish();
        }
    }

    /** The instructions of {@code e} changed: republish its rule. */
    void refresh(FlowEntry e) {
        MaskGroup g = byMask.get(new MaskKey(e.match.mask));
        if (g != null) {
            g.refresh(e);
        }
    }

    void forEach(Consumer<FlowEntry> action) {
        for (MaskGroup g : byMask.values()) {
            g.forEach(action);
        }
    }

    private void republish() {
        MaskGroup[] groups = byMask.values().toArray(new MaskGroup[0]);
        Arrays.sort(groups, Comparator.comparingInt(MaskGroup::maxPriority).reversed());
        int[] max = new int[groups.length];
        for (int i = 0; i < groups.length; i++) {
            max[i] = groups[i].maxPriority();
        }
        classifier = new Classifier(groups, max);
    }

    /** A mask as a hash key. */
    private static final class MaskKey {
        private final long[] mask;
        private final int hash;

        MaskKey(long[] mask) {
            this.mask = mask;
            this.hash = Arrays.hashCode(mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MaskKey k && Arrays.equals(mask, k.mask);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
