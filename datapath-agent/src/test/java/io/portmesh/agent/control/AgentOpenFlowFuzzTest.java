package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.barrier;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfFuzzMessages;
import io.portmesh.openflow.OfFuzzMessages.Frame;
import io.portmesh.openflow.OfFuzzPeer;
import io.portmesh.openflow.OfFuzzPeer.Marker;
import io.portmesh.openflow.OfFuzzPeer.Verdict;
import io.portmesh.openflow.OfFuzzRun;
import io.portmesh.openflow.OfFuzzWatch;
import io.portmesh.sim.SimulatedVm;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The agent's OpenFlow side fed a million malformed and truncated messages over real TCP, nine in ten of those sent: on its listen port (by
 * fuzzing tools, while it forwards traffic between two hosts), and on its own connection to a controller (by a fake
 * controller). A switch end keeps a connection after a message it cannot decode, so every framed batch must end with
 * its barrier answered and an OFPT_ERROR for each message that is certainly bad; the agent's threads must survive,
 * nothing may throw past the OpenFlow pipeline, and its other connections must keep working.
 *
 * <p>Seeded: {@code -Dportmesh.fuzz.seed=N} replays a run (the seed is printed); {@code
 * -Dportmesh.fuzz.agent.malformed=N} changes the count of malformed messages.
 */
class AgentOpenFlowFuzzTest {
    private static final long SEED = Long.getLong("portmesh.fuzz.seed", 20261207L);
    private static final int MALFORMED = Integer.getInteger("portmesh.fuzz.agent.malformed", 1_000_000);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void theListenPortSurvivesAMillionMutatedMessagesWhileTheAgentForwards() throws Exception {
        try (OfFuzzWatch watch = agentWatch();
                TwoHostNetwork net = TwoHostNetwork.running(
                        new TwoHostNetwork(null, null, null, null, "listen = \"127.0.0.1:0\""))) {
            watchAgentThreads(watch);
            InetSocketAddress listen = net.agentA.listenAddress().orElseThrow();
            long flowMods = net.agentA.flowModsApplied();
            net.pingAllPairs(5);
            barrier(net.toA);

            LongAdder pingRounds = new LongAdder();
            LongAdder barriers = new LongAdder();
            OfFuzzRun.Round traffic = () -> {
                net.pingAllPairs(5); // waits for every reply: a lost or late frame fails the test
                pingRounds.increment();
                barrier(net.toA); // the master controller's connection
                barriers.increment();
            };
            Counts counts = fuzz(2, () -> OfFuzzPeer.connect(listen), 20, traffic);

            net.pingAllPairs(5);
            barrier(net.toA);
            barrier(net.toA2);
            for (SimulatedVm vm : net.all()) {
                assertThat(vm.pingStats().duplicates()).as("%s duplicates", vm).isZero();
                assertThat(vm.pingStats().unexpected()).as("%s unexpected", vm).isZero();
            }
            // the listen port is read-only: nothing the fuzzers sent changed a flow
            assertThat(TwoHostNetwork.installedPlan(net.agentA)).isEqualTo(net.planA);
            assertThat(net.agentA.flowModsApplied()).isEqualTo(flowMods);
            assertThat(net.agentA.connectedControllers()).isEqualTo(2);
            assertThat(pingRounds.sum()).as("ping rounds during the fuzzing").isPositive();
            assertThat(barriers.sum()).as("barriers during the fuzzing").isPositive();
            try (OfFuzzPeer fresh = OfFuzzPeer.connect(listen)) {
                fresh.helloAsController(WAIT);
                assertThat(fresh.finish(Marker.BARRIER, WAIT)).isEqualTo(Verdict.ANSWERED);
            }
            assertThat(watch.problems()).isEmpty();
            assertThat(watch.tolerated(AgentTls.class.getName()))
                    .as("plain TCP warnings")
                    .isLessThanOrEqualTo(2);
            counts.print(
                    "listen port",
                    "ping rounds " + pingRounds.sum() + ", master barriers " + barriers.sum() + "; " + stalls(watch));
        }
    }

    @Test
    void aFakeControllerSendingAMillionMutatedMessagesLeavesTheAgentAndItsOtherControllerWorking() throws Exception {
        try (OfFuzzWatch watch = agentWatch();
                ScriptedController good = new ScriptedController();
                ServerSocket fake = new ServerSocket()) {
            fake.bind(new InetSocketAddress("127.0.0.1", 0));
            fake.setSoTimeout((int) WAIT.toMillis());
            try (DatapathAgent agent = DatapathAgent.start(TestAgents.settings(
                    "fuzzed",
                    0x00F0_0F00L,
                    List.of(good.hostPort(), "127.0.0.1:" + fake.getLocalPort()),
                    "127.0.0.1",
                    0,
                    4789))) {
                watchAgentThreads(watch);
                OfConnection goodConnection = good.awaitConnection();
                barrier(goodConnection);

                LongAdder barriers = new LongAdder();
                OfFuzzRun.Round other = () -> {
                    barrier(goodConnection);
                    barriers.increment();
                    Thread.sleep(2);
                };
                // the agent dials again after each connection the fuzzer broke
                Counts counts = fuzz(1, () -> new OfFuzzPeer(fake.accept()), 200, other);

                barrier(goodConnection);
                assertThat(goodConnection.isActive()).isTrue();
                assertThat(barriers.sum()).as("barriers during the fuzzing").isPositive();
                try (OfFuzzPeer again = new OfFuzzPeer(fake.accept())) {
                    again.helloAsController(WAIT);
                    assertThat(again.finish(Marker.BARRIER, WAIT)).isEqualTo(Verdict.ANSWERED);
                }
                assertThat(watch.problems()).isEmpty();
                assertThat(watch.tolerated(AgentTls.class.getName()))
                        .as("plain TCP warnings")
                        .isLessThanOrEqualTo(1);
                counts.print(
                        "controller connection",
                        "barriers of the other controller " + barriers.sum() + "; " + stalls(watch));
            }
        }
    }

    /**
     * Netty, the OpenFlow library and the agent's own loggers (a message it could not handle, a control task that
     * failed), but for two expected warnings: the one at start that OpenFlow is plain TCP (once per JVM: at most one per agent, checked),
     * and the stall watch's, which report a thread that ran no task for a few hundred milliseconds: on a 2-core
     * machine shared with other builds that is the machine's load, not the fuzzing, so they are counted and printed
     * but not bounded (a thread that died is caught by {@link #watchAgentThreads}).
     */
    private static OfFuzzWatch agentWatch() {
        return OfFuzzWatch.nettyAndPortmesh()
                .tolerate(AgentTls.class.getName(), "OpenFlow is plain TCP")
                .tolerate(ThreadStallWatch.class.getName(), "");
    }

    private static String stalls(OfFuzzWatch watch) {
        return "stall warnings " + watch.tolerated(ThreadStallWatch.class.getName());
    }

    /**
     * The agent's control thread and its Netty event loops must still be alive at the end; a renamed thread would
     * leave nothing watched, so each name must match at least one.
     */
    private static void watchAgentThreads(OfFuzzWatch watch) {
        assertThat(watch.watchThreads("agent-control-"))
                .as("agent control threads")
                .isPositive();
        assertThat(watch.watchThreads("multiThreadIoEventLoopGroup-"))
                .as("agent event loop threads")
                .isPositive();
    }

    /** Opens the next connection to fuzz (a connect, or the agent's next dial accepted). */
    private interface PeerSource {
        OfFuzzPeer next() throws Exception;
    }

    /**
     * Runs {@code workers} fuzzing peers until {@link #MALFORMED} malformed messages are sent, with {@code alongside} repeated next to
     * them until they are done. Each connection carries batches of mutated messages until one of them (about one in
     * {@code breakOneIn}) ends by breaking the framing.
     */
    private static Counts fuzz(int workers, PeerSource source, int breakOneIn, OfFuzzRun.Round alongside)
            throws Exception {
        Counts counts = new Counts();
        counts.millis = OfFuzzRun.run(
                workers,
                SEED,
                MALFORMED,
                (gen, quota) -> fuzzOneConnection(source.next(), gen, breakOneIn, quota, counts),
                alongside);
        assertThat(counts.malformed.sum()).as("malformed messages sent").isGreaterThanOrEqualTo(MALFORMED);
        return counts;
    }

    private static void fuzzOneConnection(
            OfFuzzPeer peer, OfFuzzMessages gen, int breakOneIn, AtomicLong quota, Counts counts) throws Exception {
        counts.connections.increment();
        try (peer) {
            peer.helloAsController(WAIT);
            while (quota.get() > 0) {
                int n = 1 + gen.random().nextInt(2000);
                List<Frame> batch = new ArrayList<>(n + 1);
                for (int i = 0; i < n; i++) {
                    batch.add(gen.framed(0.1));
                }
                boolean broken = gen.random().nextInt(breakOneIn) == 0;
                if (broken) {
                    batch.add(gen.breaker());
                }
                for (Frame f : batch) {
                    peer.send(f.bytes());
                }
                int malformedInBatch = OfFuzzMessages.malformed(batch);
                quota.addAndGet(-malformedInBatch);
                counts.malformed.add(malformedInBatch);
                counts.valid.add(batch.size() - malformedInBatch);
                Verdict verdict = broken ? peer.finishClosingOutput(WAIT) : peer.finish(Marker.BARRIER, WAIT);
                counts.errors.add(peer.errors());
                counts.badRequests.add(peer.badRequests());
                if (broken) {
                    counts.closedAfterBreaker.increment();
                    return;
                }
                assertThat(verdict)
                        .as("a batch of %d framed messages on port %d", batch.size(), peer.localPort())
                        .isEqualTo(Verdict.ANSWERED);
                counts.batchesAnswered.increment();
                for (Frame bad : batch) {
                    if (bad.certainlyBad()) {
                        assertThat(peer.answeredWithErrorFor(bad.xid()))
                                .as("no OFPT_ERROR for xid %d (%s)", bad.xid(), bad.kind())
                                .isTrue();
                    }
                }
                peer.resetErrors();
            }
        }
    }

    private static final class Counts {
        final LongAdder malformed = new LongAdder();
        final LongAdder valid = new LongAdder();
        final LongAdder connections = new LongAdder();
        final LongAdder batchesAnswered = new LongAdder();
        final LongAdder closedAfterBreaker = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder badRequests = new LongAdder();
        long millis;

        void print(String where, String alongside) {
            System.out.printf(
                    "OpenFlow agent fuzz (%s, seed %d): %d malformed or truncated and %d valid messages sent in %d ms"
                            + " (%.0f/s) over %d connections;"
                            + " batches answered: %d; connections closed by the agent after a broken frame: %d;"
                            + " OFPT_ERRORs received: %d (BAD_REQUEST %d); alongside: %s%n",
                    where,
                    SEED,
                    malformed.sum(),
                    valid.sum(),
                    millis,
                    (malformed.sum() + valid.sum()) * 1000.0 / Math.max(1, millis),
                    connections.sum(),
                    batchesAnswered.sum(),
                    closedAfterBreaker.sum(),
                    errors.sum(),
                    badRequests.sum(),
                    alongside);
        }
    }
}
