package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;

/** The tuple-space classifier: masks, priorities across mask groups, scale, concurrent readers. */
class ClassifierTest {
    private final SwitchTables tables = new SwitchTables(2, msg -> {});

    private static long[] key(int inPort, long metadata, String dst, String src, int vlanVid) {
        long[] k = new long[KeyLayout.WORDS];
        KeyLayout.encode(
                k,
                inPort,
                metadata,
                0,
                0,
                MacAddress.of(dst).getLong(),
                MacAddress.of(src).getLong(),
                0x0800,
                vlanVid,
                0,
                0,
                0);
        return k;
    }

    private int priorityFor(long[] key) {
        FlowRule e = tables.table(0).lookup(key);
        return e == null ? -1 : e.priority;
    }

    private void add0(int priority, Match m) {
        assertThat(tables.apply(add(0, priority, m, apply(output(1))).build())).isEmpty();
    }

    @Test
    void vlanVidPresentNoneAndExact() {
        add0(
                30,
                match().setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(10)).build());
        add0(
                20,
                match().setMasked(MatchField.VLAN_VID, OFVlanVidMatch.PRESENT, OFVlanVidMatch.PRESENT)
                        .build());
        add0(10, match().setExact(MatchField.VLAN_VID, OFVlanVidMatch.NONE).build());

        String m = "00:00:00:00:00:01";
        assertThat(priorityFor(key(1, 0, m, m, 0x1000 | 10))).isEqualTo(30);
        assertThat(priorityFor(key(1, 0, m, m, 0x1000 | 11))).isEqualTo(20);
        assertThat(priorityFor(key(1, 0, m, m, 0x1000)))
                .as("priority tag, vid 0")
                .isEqualTo(20);
        assertThat(priorityFor(key(1, 0, m, m, 0))).as("untagged").isEqualTo(10);
    }

    @Test
    void maskedEthDstAndMetadata() {
        add0(50, ethDst(match(), "00:00:00:00:00:01").build());
        add0(
                40,
                match().setMasked(
                                MatchField.ETH_DST,
                                MacAddress.of("01:00:00:00:00:00"),
                                MacAddress.of("01:00:00:00:00:00"))
                        .build());
        add0(
                30,
                match().setMasked(MatchField.METADATA, OFMetadata.ofRaw(0x500), OFMetadata.ofRaw(0xF00))
                        .build());

        String src = "00:00:00:00:00:09";
        assertThat(priorityFor(key(1, 0, "00:00:00:00:00:01", src, 0))).isEqualTo(50);
        assertThat(priorityFor(key(1, 0, "ff:ff:ff:ff:ff:ff", src, 0))).isEqualTo(40);
        assertThat(priorityFor(key(1, 0, "33:33:00:00:00:01", src, 0))).isEqualTo(40);
        assertThat(priorityFor(key(1, 0x5AB, "00:00:00:00:00:02", src, 0))).isEqualTo(30);
        assertThat(priorityFor(key(1, 0x6AB, "00:00:00:00:00:02", src, 0))).isEqualTo(-1);
    }

    @Test
    void aHigherPriorityInALaterAddedMaskGroupWins() {
        add0(10, ethDst(match(), "00:00:00:00:00:01").build());
        add0(100, Of.inPort(match(), 1).build());
        add0(0, any());

        String src = "00:00:00:00:00:09";
        assertThat(priorityFor(key(1, 0, "00:00:00:00:00:01", src, 0))).isEqualTo(100);
        assertThat(priorityFor(key(2, 0, "00:00:00:00:00:01", src, 0))).isEqualTo(10);
        assertThat(priorityFor(key(2, 0, "00:00:00:00:00:02", src, 0))).isEqualTo(0);
        assertThat(tables.table(0)
                        .lookup(key(2, 0, "00:00:00:00:00:02", src, 0))
                        .entry
                        .isTableMiss())
                .isTrue();

        // Removing the high-priority group lets the lower ones answer again.
        tables.apply(F.buildFlowDeleteStrict()
                .setTableId(TableId.of(0))
                .setPriority(100)
                .setMatch(Of.inPort(match(), 1).build())
                .build());
        assertThat(priorityFor(key(1, 0, "00:00:00:00:00:01", src, 0))).isEqualTo(10);
    }

    @Test
    void aLowPriorityHitInTheFirstGroupDoesNotHideABetterOneLater() {
        // One mask group holding priorities 100 and 10, another holding 50: the group with the higher
        // maximum is probed first, but its hit (10) must lose to the later group's 50.
        add0(100, ethDst(match(), "00:00:00:00:00:01").build());
        add0(10, ethDst(match(), "00:00:00:00:00:02").build());
        add0(50, Of.inPort(match(), 1).build());

        String src = "00:00:00:00:00:09";
        assertThat(priorityFor(key(1, 0, "00:00:00:00:00:02", src, 0))).isEqualTo(50);
        assertThat(priorityFor(key(2, 0, "00:00:00:00:00:02", src, 0))).isEqualTo(10);
        assertThat(priorityFor(key(1, 0, "00:00:00:00:00:01", src, 0))).isEqualTo(100);
    }

    @Test
    void tenThousandFlowsAllFoundAndRemovable() {
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            var m = ethDst(
                            metadata(match(), i % 50),
                            MacAddress.of(0x0200_0000_0000L + i).toString())
                    .build();
            assertThat(tables.apply(add(1, 100 + (i % 3), m, apply(output(1))).build()))
                    .isEmpty();
        }
        assertThat(tables.flowCount()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            long[] k = new long[KeyLayout.WORDS];
            KeyLayout.encode(k, 1, i % 50, 0, 0, 0x0200_0000_0000L + i, 0, 0, 0, 0, 0, 0);
            FlowRule e = tables.table(1).lookup(k);
            assertThat(e).as("flow %d", i).isNotNull();
            assertThat(e.priority).isEqualTo(100 + (i % 3));
        }
        tables.apply(F.buildFlowDelete()
                .setTableId(TableId.of(1))
                .setMatch(metadata(match(), 7).build())
                .build());
        assertThat(tables.flowCount()).isEqualTo(n - n / 50);
    }

    @Test
    void readersNeverSeeABrokenTableWhileTheWriterChurns() throws Exception {
        // A permanent flow must be found by every lookup while other flows come and go around it.
        String stable = "00:00:00:00:00:01";
        assertThat(tables.apply(add(1, 100, ethDst(metadata(match(), 1), stable).build(), apply(output(1)))
                        .build()))
                .isEmpty();
        long[] stableKey = new long[KeyLayout.WORDS];
        KeyLayout.encode(stableKey, 1, 1, 0, 0, MacAddress.of(stable).getLong(), 0, 0, 0, 0, 0, 0);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lookups = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    for (long i = 0; i < 50_000_000L && !stop.get(); i++) {
                        FlowRule e = tables.table(1).lookup(stableKey);
                        if (e == null || e.priority != 100) {
                            throw new AssertionError("stable flow not found: " + e);
                        }
                        lookups.incrementAndGet();
                    }
                } catch (Throwable t2) {
                    failure.compareAndSet(null, t2);
                }
            });
            t.start();
            readers.add(t);
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 1_000; i++) {
                var m = ethDst(
                                metadata(match(), 1),
                                MacAddress.of(0x0200_0000_0000L + i).toString())
                        .build();
                tables.apply(add(1, 50 + (i % 100), m, apply(output(2))).build());
            }
            tables.apply(F.buildFlowDelete()
                    .setTableId(TableId.of(1))
                    .setMatch(metadata(match(), 1).build())
                    .setOutPort(org.projectfloodlight.openflow.types.OFPort.of(2))
                    .build());
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(failure.get()).isNull();
        assertThat(lookups.get()).isPositive();
        assertThat(tables.flowCount()).isEqualTo(1);
    }
}
