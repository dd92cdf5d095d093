package io.portmesh.loadtest.jmh;

import io.portmesh.agent.table.SwitchTables;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFGroupMod;

/**
 * Flow-mods applied per second: a host's whole table (about 20,000 flows, the layout of docs/architecture.md section 5)
 * installed into empty tables, so every add lands in a table growing from 0 to 20k. The Loxi
 * messages are built once; the measured work is validation, compilation and installation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Fixed, pre-touched heap: a heap that grows mid-run measures the kernel zeroing fresh pages,
// not the code (seen here as 5x slower iterations right after each heap expansion).
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class FlowModApplyBenchmark {
    private static final int FLOWS = 20_000;

    private OFGroupMod[] groups;
    private OFFlowMod[] flows;
    private SwitchTables tables;

    @Setup(Level.Trial)
    public void setUp() {
        HostFlowSet host = new HostFlowSet(FLOWS);
        groups = host.groups.toArray(new OFGroupMod[0]);
        flows = host.flows.toArray(new OFFlowMod[0]);
        if (flows.length != FLOWS) {
            throw new IllegalStateException("expected " + FLOWS + " flow-mods, built " + flows.length);
        }
    }

    /** Fresh tables with the groups in place; an invocation is ~20k flow-mods, so this is cheap to isolate. */
    @Setup(Level.Invocation)
    public void emptyTables() {
        tables = new SwitchTables(SwitchTables.DEFAULT_TABLE_COUNT, msg -> {});
        for (OFGroupMod g : groups) {
            tables.apply(g);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FLOWS)
    public int applyAll() {
        for (OFFlowMod f : flows) {
            if (tables.apply(f).isPresent()) {
                throw new IllegalStateException("flow refused: " + f);
            }
        }
        return tables.flowCount();
    }
}
