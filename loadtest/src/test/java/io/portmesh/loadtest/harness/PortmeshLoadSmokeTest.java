package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.nodeloss.NodeLossFabric;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * Issue 19: the {@code smoke} scenario (loadtest/scenarios/smoke.conf) run through the runner's API on the tests'
 * Cassandra: three controller JVMs, four hosts, create+bind load and numbered traffic, one node killed and restarted.
 * The report must show no violation, every SLO met, and its figures.
 *
 * <p>The same run then tests the invariant checker on a real run broken on purpose (it was a run of its own,
 * BrokenRunTest, which cost the suite a second set-up of three controller JVMs): once the run's own checks are done,
 * one flow is deleted from an agent's table behind the controller's back (as an operator's {@code ovs-ofctl
 * del-flows} would), and the checks after the load, run again, must report exactly that host's flows as not
 * converged, and fail. The controllers may put the flow back meanwhile (a host whose shard moves to the restarted node
 * gets a new master, which reconciles), so a check after which the flow is back is done again on a new removal
 * ({@link HarnessRun.Sabotage}). The run happens once (before all); each verdict is its own test.
 */
@ExtendWith(CassandraExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortmeshLoadSmokeTest {
    private Path out;
    private RunReport report;
    private RunReport broken;
    private final String[] sabotaged = new String[1];

    @BeforeAll
    void runSmokeThenBreakIt(TestCassandra cassandra, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        out = dir;
        Scenario s = Scenario.read(Path.of("scenarios", "smoke.conf")).withCassandra(cassandra.contactPointString());
        HarnessRun run = new HarnessRun(s, out, System.out).thenBreakAndCheckAgain(new HarnessRun.Sabotage() {
            private FlowEntry.FlowKey removed;

            @Override
            public void apply(NodeLossFabric f) {
                DatapathAgent a = f.agents().get(0);
                removed = LiveState.installed(a).flows().keySet().iterator().next();
                a.tables().apply((OFFlowMod)
                        new PlanToOpenFlow(OFFactories.getFactory(OFVersion.OF_13)).flowDeleteStrict(removed));
                sabotaged[0] = a.settings().host();
            }

            @Override
            public boolean stillHolds(NodeLossFabric f) {
                return !LiveState.installed(f.agents().get(0)).flows().containsKey(removed);
            }
        });
        report = run.run();
        broken = run.rechecked();
    }

    @Test
    void smokeRunsCleanAndReportsItsFigures() throws Exception {
        RunReport r = report;
        assertThat(r.error).as("the run itself").isNull();
        assertThat(r.violations).as("violations").isEmpty();
        assertThat(r.slos)
                .as("SLOs")
                .isNotEmpty()
                .allSatisfy(slo -> assertThat(slo.met())
                        .as("%s, was %s", slo.bound(), slo.value())
                        .isTrue());
        assertThat(r.figures)
                .containsKeys(
                        "ops.acknowledged",
                        "latency.bind.p99",
                        "latency.create.p99",
                        "throughput.acknowledged",
                        "frames.sent",
                        "frames.lost",
                        "faults.injected",
                        "node-kill.remastered.max",
                        "broadcast.received",
                        "violations");
        assertThat(r.figures.get("ops.acknowledged").value()).isPositive();
        assertThat(r.figures.get("frames.sent").value()).isPositive();
        assertThat(r.figures.get("faults.injected").value()).isEqualTo(1);
        assertThat(r.figures.get("checked.acknowledged-writes").value()).isPositive();
        assertThat(r.figures.get("checked.agents").value())
                .as("every agent's tables read, host 1's over its listen port")
                .isEqualTo(4);
        assertThat(r.figures.get("broadcast.received").value()).isPositive();
        assertThat(r.exitStatus()).isZero();
        String json = Files.readString(out.resolve("report.json"));
        assertThat(json).contains("\"seed\" : 19", "\"commit\"", "\"machine\"", "\"unit\" : \"ms\"");
    }

    @Test
    void aFlowRemovedBehindTheControllersBackIsAViolation() {
        assertThat(report.error).as("the run itself").isNull();
        assertThat(broken).as("the checks after the sabotage").isNotNull();
        assertThat(broken.violations).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo(Invariants.FLOWS);
            assertThat(v.where()).isEqualTo("host " + sabotaged[0]);
            assertThat(v.what()).contains("1 flows missing");
        });
        assertThat(broken.exitStatus()).isEqualTo(1);
    }
}
