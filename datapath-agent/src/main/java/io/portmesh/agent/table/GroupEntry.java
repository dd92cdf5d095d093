package io.portmesh.agent.table;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.projectfloodlight.openflow.protocol.OFBucket;

/**
 * One group of type ALL. Flows hold a direct reference (no lookup by id per frame); the buckets
 * are swapped atomically on modify and cleared on delete, which also removes the referring flows.
 */
public final class GroupEntry {
    public final int id;
    final long createdNanos;
    final LongAdder packets = new LongAdder();
    final LongAdder bytes = new LongAdder();
    private volatile Buckets buckets;

    GroupEntry(int id, long createdNanos, Buckets buckets) {
        this.id = id;
        this.createdNanos = createdNanos;
        this.buckets = buckets;
    }

    /** Current buckets, or null once the group is deleted. */
    public Buckets buckets() {
        return buckets;
    }

    void replace(Buckets next) {
        buckets = next;
    }

    /** Counts one frame handed to the group (before the buckets copy it). */
    public void hit(int frameBytes) {
        packets.increment();
        bytes.add(frameBytes);
    }

    /** The compiled buckets and the Loxi buckets they came from (for group-desc replies). */
    public static final class Buckets {
        public final Act[][] actions;
        /** Each bucket's actions as an {@link Instructions} program (buckets never hold groups). */
        public final long[][] programs;

        final LongAdder[] packets;
        final LongAdder[] bytes;
        final List<OFBucket> source;

        Buckets(Act[][] actions, List<OFBucket> source) {
            this.actions = actions;
            this.source = List.copyOf(source);
            this.programs = new long[actions.length][];
            for (int i = 0; i < actions.length; i++) {
                programs[i] = Instructions.program(actions[i], new GroupEntry[0]);
            }
            this.packets = new LongAdder[actions.length];
            this.bytes = new LongAdder[actions.length];
            for (int i = 0; i < actions.length; i++) {
                packets[i] = new LongAdder();
                bytes[i] = new LongAdder();
            }
        }

        public void hit(int bucket, int frameBytes) {
            packets[bucket].increment();
            bytes[bucket].add(frameBytes);
        }
    }
}
