package io.portmesh.loadtest.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.loadtest.faults.BindingReadBack;
import io.portmesh.loadtest.faults.MemberWatch;
import io.portmesh.loadtest.faults.RestPortLoad;
import io.portmesh.loadtest.faults.RestartableCassandra;
import io.portmesh.persistence.Replication;
import io.portmesh.persistence.SchemaInstaller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, Cassandra briefly gone (docs/architecture.md section 8): three controller nodes in their own JVMs on a
 * Cassandra of the test's own (never the shared test Cassandra, which other tests use), a steady create-and-bind load
 * through every node; Cassandra is killed with SIGKILL (a crash: its connections reset at once, nothing is flushed,
 * the restart replays its commit log), stays away 10 s, and is started again on the same data directory (which takes
 * its own 20-60 s on a busy machine, so Cassandra is away for that long in all). Asserted:
 *
 * <ul>
 *   <li>every call sent while Cassandra was away is answered 503 (no 500, none left without an answer within the
 *       client's 30 s), and there are such calls (or 2xx: one that waited for Cassandra's return);
 *   <li>no node process exits, and every node answers GET /v1/cluster with all three members Up, polled every second
 *       throughout;
 *   <li>after Cassandra is back, a creation and binding through every node succeeds within {@link #RECOVERY} without a
 *       node restart, and a switch created then appears in every node's listing within {@link #LISTED} (the read
 *       side recovered; it was caught up before the outage);
 *   <li>every binding acknowledged (2xx) before, during or after the outage reads back afterwards.
 * </ul>
 *
 * The dedicated Cassandra listens on {@code portmesh.test.cassandra.outage.port} (49042) and storage port {@code
 * portmesh.test.cassandra.outage.storage-port} (47000), with its data under target/cassandra-outage.
 */
@Tag("scenario") // minutes of multi-JVM run: out of verify (mvn -Pscenarios); the harness runs
// loadtest/scenarios/cassandra-stop.conf
class CassandraOutageTest {
    private static final Duration AWAY = Duration.ofSeconds(10);
    /** From Cassandra answering CQL again to the first create-and-bind through every node. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);
    /** From a switch's creation to every node listing it, once the read side caught up (after the outage too). */
    private static final Duration LISTED = Duration.ofSeconds(30);
    /** How long the read side may take to replay its tags after the nodes start (a loaded 2-core machine: minutes). */
    private static final Duration CAUGHT_UP = Duration.ofMinutes(5);

    @Test
    void whileCassandraIsAwayCallsAnswer503AndOnceItIsBackEveryNodeServesAgainWithNothingAcknowledgedLost(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path logs) throws Exception {
        int cqlPort = Integer.getInteger("portmesh.test.cassandra.outage.port", 49042);
        int storagePort = Integer.getInteger("portmesh.test.cassandra.outage.storage-port", 47000);
        List<NodeProcess> nodes = new ArrayList<>();
        RestPortLoad load = null;
        MemberWatch members = null;
        RestartableCassandra cassandra = null;
        try {
            cassandra = RestartableCassandra.start(Path.of("target", "cassandra-outage"), cqlPort, storagePort);
            new SchemaInstaller(Replication.simple(1))
                    .install(cassandra.embedded().contactPoint(), "datacenter1");
            ThreeNodes.start(cassandra.contactPoint(), logs, nodes);
            System.out.println("logs (kept when the test fails): " + logs);
            String run = ThreeNodes.runId();
            List<String> hosts =
                    List.copyOf(ThreeNodes.registerHosts(nodes, "cass", run, 3).keySet());
            String sw = "cass-" + run;
            long started = System.nanoTime();
            Nodes.call(nodes, n -> n.post("/v1/switches", Map.of("name", sw)));
            // the read side replays every hourly bucket since its first one at node start: wait until it is caught up,
            // so that what is measured after the outage is its recovery, not that replay
            long caughtUp = awaitListedEverywhere(nodes, sw, CAUGHT_UP);
            System.out.printf(
                    "the read side listed the first switch on every node %d ms after its creation%n",
                    ms(caughtUp - started));

            members = MemberWatch.start(nodes, Duration.ofSeconds(1));
            int macByte = ThreadLocalRandom.current().nextInt(256);
            load = RestPortLoad.start(nodes, sw, hosts, Duration.ofMillis(250), macByte);
            Thread.sleep(5_000);
            long killed = System.nanoTime();
            cassandra.kill();
            Thread.sleep(AWAY.toMillis());
            long restarting = System.nanoTime();
            cassandra.restart();
            long back = System.nanoTime();
            // the load's workers may still wait for answers to calls sent while Cassandra was away: a probe of its own
            // sends its first create through every node now, and again 100 ms after each failure
            long[] recovered;
            List<RestPortLoad.Acked> probed;
            try (RestPortLoad probe =
                    RestPortLoad.start(nodes, sw, hosts, Duration.ofMillis(100), (macByte + 1) & 0xFF)) {
                recovered = awaitEveryNodeServes(probe, nodes, back, RECOVERY.plusSeconds(60));
                probe.close();
                probed = probe.acked();
                System.out.println("  probe after Cassandra answered: " + probe.summary(back, Long.MAX_VALUE));
            }
            String later = "cass-later-" + run;
            Nodes.call(nodes, n -> n.post("/v1/switches", Map.of("name", later)), Duration.ofSeconds(30));
            long created = System.nanoTime();
            long listed = awaitListedEverywhere(nodes, later, LISTED.plusSeconds(60));
            Thread.sleep(3_000); // the load goes on with Cassandra back
            load.close();
            members.close();

            List<RestPortLoad.Acked> acked = new ArrayList<>(load.acked());
            acked.addAll(probed);
            List<String> lost = BindingReadBack.notReadBack(nodes, acked, Duration.ofSeconds(30));
            List<RestPortLoad.Call> away = load.calls().stream()
                    .filter(c -> c.startNanos() - killed >= 0 && c.startNanos() - back < 0)
                    .toList();
            long maxRecovery = 0;
            for (long r : recovered) {
                maxRecovery = Math.max(maxRecovery, r);
            }
            System.out.printf(
                    "Cassandra (SIGKILL) away %d ms: %d ms down, then %d ms to start and answer CQL on its data%n",
                    ms(back - killed), ms(restarting - killed), ms(back - restarting));
            System.out.printf(
                    "  calls sent: before the kill %s; while Cassandra's process was gone %s; while it started (it may"
                            + " answer before this test's own CQL probe does) %s; after %s (status -1: no answer, -2:"
                            + " client timeout)%n",
                    load.summary(0, killed),
                    load.summary(killed, restarting),
                    load.summary(restarting, back),
                    load.summary(back, Long.MAX_VALUE));
            load.errors(12).forEach(e -> System.out.println("  error: " + e));
            System.out.printf(
                    "  first create+bind acknowledged through node 1, 2, 3 (the probe's, sent from the moment Cassandra"
                            + " answered): %d, %d, %d ms after it answered; a switch created then (%d ms after) was"
                            + " listed by every node %d ms after its creation%n",
                    ms(recovered[0]), ms(recovered[1]), ms(recovered[2]), ms(created - back), ms(listed - created));
            System.out.printf(
                    "  GET /v1/cluster polls: %d, unhealthy %d, slowest %d ms; %d bindings acknowledged, %d not read"
                            + " back %s%n",
                    members.polls().size(),
                    members.unhealthy(3).size(),
                    ms(members.slowestNanos()),
                    acked.size(),
                    lost.size(),
                    lost);

            assertThat(away).as("calls sent while Cassandra was away").isNotEmpty();
            assertThat(away)
                    .as("calls sent while Cassandra was away that were not answered 503 (or 2xx: a create whose"
                            + " entity was started and asks nothing of Cassandra)")
                    .allMatch(c -> c.status() == 503 || c.ok());
            assertThat(away).as("503 answers while Cassandra was away").anyMatch(c -> c.status() == 503);
            for (NodeProcess n : nodes) {
                assertThat(n.isAlive()).as("node %d runs", n.index).isTrue();
            }
            assertThat(members.unhealthy(3))
                    .as("polls of GET /v1/cluster without three members Up")
                    .isEmpty();
            assertThat(Duration.ofNanos(maxRecovery))
                    .as("from Cassandra answering to a create+bind through every node")
                    .isLessThanOrEqualTo(RECOVERY);
            assertThat(Duration.ofNanos(listed - created))
                    .as("from the creation of a switch after the outage to every node listing it")
                    .isLessThanOrEqualTo(LISTED);
            assertThat(lost).as("acknowledged bindings not read back").isEmpty();
        } finally {
            if (load != null) {
                load.close();
            }
            if (members != null) {
                members.close();
            }
            NodeProcess.closeAll(nodes);
            if (cassandra != null) {
                cassandra.close(); // after the nodes, which would otherwise see it go once more
            }
        }
    }

    /**
     * How long after {@code back} each node first acknowledged a binding of the probe's (a port it was asked to
     * create after {@code back}); waits at most {@code wait} for all three.
     */
    private static long[] awaitEveryNodeServes(RestPortLoad load, List<NodeProcess> nodes, long back, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long[] first = new long[nodes.size()];
        while (true) {
            java.util.Arrays.fill(first, -1);
            for (RestPortLoad.Acked a : load.acked()) {
                int i = a.node() - 1;
                if (a.createdFromNanos() - back >= 0 && first[i] < 0) {
                    first[i] = a.atNanos() - back;
                }
            }
            if (java.util.Arrays.stream(first).allMatch(f -> f >= 0)) {
                return first;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every node acknowledged a binding within " + wait.toSeconds()
                        + " s of Cassandra answering again (per node, ms or -1: "
                        + java.util.Arrays.toString(java.util.Arrays.stream(first)
                                .map(f -> f < 0 ? -1 : f / 1_000_000)
                                .toArray())
                        + "); calls since: " + load.summary(back, Long.MAX_VALUE) + "; errors: " + load.errors(12));
            }
            Thread.sleep(100);
        }
    }

    /** When every node's GET /v1/switches lists {@code sw}. */
    private static long awaitListedEverywhere(List<NodeProcess> nodes, String sw, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (NodeProcess n : nodes) {
                RestClient.Response r = new RestClient(n.url()).get("/v1/switches");
                all &= r.ok() && r.body().toString().contains("\"" + sw + "\"");
            }
            if (all) {
                return System.nanoTime();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("switch " + sw + " not listed by every node within " + wait.toSeconds() + " s");
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
