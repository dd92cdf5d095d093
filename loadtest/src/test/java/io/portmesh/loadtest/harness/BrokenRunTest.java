package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.flow.FlowEntry;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * The invariant checker on a real run broken on purpose: after the load, one flow is deleted from an agent's table
 * behind the controller's back (as an operator's {@code ovs-ofctl del-flows} would), and the run must report exactly
 * that host's flows as not converged, and fail.
 */
@ExtendWith(CassandraExtension.class)
class BrokenRunTest {
    @Test
    void aFlowRemovedBehindTheControllersBackIsAViolation(
            TestCassandra cassandra, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path out) {
        Scenario s = Scenario.parse("""
                        name = broken
                        warm-up = 1s
                        duration = 8s
                        fabric { hosts = 2, switches = 2, vm-pairs = 1, frame-rate = 50 }
                        workloads.create-bind.rate = 2
                        """).withCassandra(cassandra.contactPointString());
        String[] sabotaged = new String[1];
        RunReport r = new HarnessRun(s, out, System.out)
                .beforeChecks(f -> {
                    DatapathAgent a = f.agents().get(0);
                    FlowEntry.FlowKey k =
                            LiveState.installed(a).flows().keySet().iterator().next();
                    a.tables().apply((OFFlowMod)
                            new PlanToOpenFlow(OFFactories.getFactory(OFVersion.OF_13)).flowDeleteStrict(k));
                    sabotaged[0] = f.hosts().get(0);
                })
                .run();

        assertThat(r.error).isNull();
        assertThat(r.violations).singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo(Invariants.FLOWS);
            assertThat(v.where()).isEqualTo("host " + sabotaged[0]);
            assertThat(v.what()).contains("1 flows missing");
        });
        assertThat(r.exitStatus()).isEqualTo(1);
    }
}
