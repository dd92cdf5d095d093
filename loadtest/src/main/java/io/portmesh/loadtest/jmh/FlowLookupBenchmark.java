package io.portmesh.loadtest.jmh;

import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.agent.pipeline.PortOutput;
import io.portmesh.agent.table.SwitchTables;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.MacAddress;

/**
 * Per-frame cost of the agent's pipeline (classify in table 0, L2 in table 1) for a table of 10 vs
 * 10,000 flows. The frames go from random local ports to random unicast destinations of the same
 * VNI (4096 distinct pairs), so the large table is probed all over, cache misses included, not on
 * one hot entry. As with real port I/O, each frame arrives in one reused receive buffer: only its
 * addresses and VLAN change from frame to frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Fixed, pre-touched heap: a heap that grows mid-run measures the kernel zeroing fresh pages,
// not the code (seen here as 5x slower iterations right after each heap expansion).
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class FlowLookupBenchmark {
    private static final int FRAMES = 4096;

    @Param({"10", "10000"})
    public int flows;

    private Pipeline pipeline;
    private final byte[][] frames = new byte[FRAMES][];
    /** The per-frame header bytes (dst, src, 802.1Q tag: 16 bytes), packed. */
    private final byte[] headers = new byte[FRAMES * 16];

    private byte[] rx;
    private final Counting out = new Counting();
    private int next;

    /** Counts what would be sent; the count is the benchmark's result, so nothing is optimised away. */
    static final class Counting implements PortOutput {
        long sent;

        @Override
        public void output(int port, int inPort, byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
            sent += len + port + tunnelDstIp;
        }

        @Override
        public void toController(
                OFPacketInReason reason, int tableId, long cookie, Match match, byte[] frame, int off, int len) {
            sent++;
        }

        @Override
        public Iterable<Integer> allPorts() {
            return List.of(1, 2);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        HostFlowSet host = new HostFlowSet(flows);
        SwitchTables tables = new SwitchTables(SwitchTables.DEFAULT_TABLE_COUNT, msg -> {});
        host.groups.forEach(g -> tables.apply(g).ifPresent(e -> {
            throw new IllegalStateException("group refused: " + e);
        }));
        host.flows.forEach(f -> tables.apply(f).ifPresent(e -> {
            throw new IllegalStateException("flow refused: " + e);
        }));
        if (tables.flowCount() != host.flows.size()) {
            throw new IllegalStateException("expected " + host.flows.size() + " flows, got " + tables.flowCount());
        }
        pipeline = new Pipeline(tables, out);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < FRAMES; i++) {
            int from = random.nextInt(host.localPorts);
            int vni = from % host.vnis;
            frames[i] = host.trunkFrame(from, destination(host, vni, random), 64);
        }
        // Every frame must be forwarded, or the benchmark would measure drops.
        long before = pipeline.counters().framesOut();
        for (byte[] f : frames) {
            pipeline.process(Pipeline.TRUNK_PORT, 0, 0, f, 0, f.length);
        }
        if (pipeline.counters().framesOut() - before != FRAMES
                || pipeline.counters().dropped() != 0) {
            throw new IllegalStateException("frames not all forwarded: " + pipeline.counters());
        }
        for (int i = 0; i < FRAMES; i++) {
            System.arraycopy(frames[i], 0, headers, i * 16, 16);
        }
        rx = frames[0].clone();
    }

    /** A unicast destination in {@code vni}: another local port or a remote MAC. */
    private static MacAddress destination(HostFlowSet host, int vni, SplittableRandom random) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            if (random.nextInt(4) == 0) {
                int to = random.nextInt(host.localPorts);
                if (to % host.vnis == vni) {
                    return HostFlowSet.localMac(to);
                }
            } else {
                int to = random.nextInt(host.remotePorts);
                if (to % host.vnis == vni) {
                    return HostFlowSet.remoteMac(to);
                }
            }
        }
        return HostFlowSet.remoteMac(vni % host.remotePorts);
    }

    @Benchmark
    public long frame() {
        System.arraycopy(headers, (next++ & (FRAMES - 1)) * 16, rx, 0, 16);
        pipeline.process(Pipeline.TRUNK_PORT, 0, 0, rx, 0, rx.length);
        return out.sent;
    }
}
