package io.portmesh.loadtest.nodeloss;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.persistence.testkit.CassandraExtension;
import io.portmesh.persistence.testkit.TestCassandra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a rolling restart of all three controller nodes under the load of {@link NodeKillUnderLoadTest} (the same
 * fabric, traffic and create+bind load). Node 1 is stopped with SIGTERM (coordinated shutdown: it leaves the cluster,
 * its shards hand over), started again on its ports (seeded with the two running nodes), and once every node sees all
 * three Up (and {@code /ready} answers 200, where the nodes have it) and every agent is connected to all three again,
 * node 2, then node 3. The same figures as the kill: no acknowledged write lost, no frame lost, no flow-mod beyond the
 * changes in flight, every failed call retryable, no host with two masters. The run happens once (before all), each
 * figure is its own test.
 *
 * <p>Its fixed phases are as short as the figures allow, for the suite's budget: the 5 s warm-up (with 2 s, the
 * baseline caught 10 flow-mods that added no flow right after the load's start, and its accounting check failed), a
 * 5 s baseline (the first third of the former 15 s; the flow-mod accounting is checked on it, about 25 ops) and 3 s
 * of load after the last node is back; the restarts
 * themselves, each until every node is Up and ready and every agent connected again, take what they take. The same
 * rolling restart under four minutes of load, the restarts 80 s apart, is the harness scenario
 * loadtest/scenarios/rolling-restart.conf ({@code node-restart} faults).
 */
@Tag("scenario") // minutes of multi-JVM run: out of verify (mvn -Pscenarios); the harness runs
// loadtest/scenarios/rolling-restart.conf
@ExtendWith(CassandraExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeRollingRestartTest {
    private static final Duration NODE_LIMIT = Duration.ofSeconds(90);
    private static final NodeLossRun.Options OPTIONS = NodeLossRun.Options.defaults()
            .withPhases(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(3));

    private NodeLossRun run;
    private Path logs;
    private NodeLossRun.Figures figures;
    private final List<CallFigures.Down> down = new ArrayList<>();
    private final List<String> notBack = new ArrayList<>();

    @BeforeAll
    void restartEveryNodeInTurnUnderLoad(TestCassandra cassandra, @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs)
            throws Exception {
        this.logs = logs;
        run = NodeLossRun.start(OPTIONS, cassandra.contactPointString(), logs);
        ControllerNodes nodes = run.fabric().nodes();
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < ControllerNodes.SIZE; i++) {
            long stopped = nodes.stop(i);
            long exited = System.nanoTime();
            nodes.restart(i);
            long up = nodes.awaitUp(NODE_LIMIT);
            long connected = awaitAgentsConnected(up < 0 ? Duration.ZERO : NODE_LIMIT);
            down.add(new CallFigures.Down(i, stopped, up < 0 ? Long.MAX_VALUE : up));
            if (up < 0 || connected < 0) {
                notBack.add("node " + (i + 1) + (up < 0 ? " not Up (and ready)" : " Up but agents not all connected")
                        + " within " + NODE_LIMIT.toSeconds() + " s");
                break;
            }
            steps.add(String.format(
                    "node %d: SIGTERM at %.1f s -> exited %.1f s, -> Up%s again %.1f s, -> every agent connected %.1f s",
                    i + 1,
                    (stopped - run.eventFromNanos()) / 1e9,
                    (exited - stopped) / 1e9,
                    Boolean.TRUE.equals(nodes.hasReadyEndpoint()) ? " and ready" : "",
                    (up - stopped) / 1e9,
                    (connected - stopped) / 1e9));
        }
        figures = run.finish(System.nanoTime(), down);
        System.out.printf(
                "rolling restart (logs %s):%n  %s%n%s%n", logs, String.join("\n  ", steps), run.describe(figures));
    }

    /** Every agent connected to all three nodes again (a restarted node listens on its old OpenFlow port). */
    private long awaitAgentsConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (run.fabric().agents().stream().allMatch(a -> a.connectedControllers() == ControllerNodes.SIZE)) {
                return System.nanoTime();
            }
            Thread.sleep(100);
        }
        return -1;
    }

    @AfterAll
    void close() {
        if (run != null) {
            run.close();
        }
    }

    @Test
    void everyNodeCameBack() {
        assertThat(notBack).isEmpty();
    }

    @Test
    void everyAcknowledgedPortReadsBackWithItsBinding() {
        FigureAssertions.everyAcknowledgedPortReadsBack(figures);
    }

    @Test
    void noNodeDroppedAMessageForItsSize() throws java.io.IOException {
        FigureAssertions.noNodeDroppedAMessageForItsSize(logs);
    }

    @Test
    void noFrameIsLost() {
        FigureAssertions.noFrameLost(figures);
    }

    /** See {@link FigureAssertions#noFlowModBeyondTheChangesInFlight} for what the changes in flight explain. */
    @Test
    void reconciliationSendsNoFlowModBeyondTheChangesInFlight() {
        FigureAssertions.noFlowModBeyondTheChangesInFlight(figures);
    }

    /** A stopping node refuses connections once its REST port is unbound, and may cut a call it was serving. */
    @Test
    void everyCallThatFailedDuringTheRestartsWasRetryable() {
        FigureAssertions.everyFailedCallRetryable(figures);
    }

    @Test
    void noHostHadTwoMastersAndEveryHostIsRealizedAtTheEnd() {
        FigureAssertions.noTwoMastersAndEveryHostRealized(figures);
    }
}
