package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.portmesh.openflow.OfFuzzMessages.Frame;
import io.portmesh.openflow.OfFuzzPeer.Marker;
import io.portmesh.openflow.OfFuzzPeer.Verdict;
import io.portmesh.openflow.session.AgentListener;
import io.portmesh.openflow.session.AgentMessage;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The controller's OpenFlow server (the {@link OfServer} in CONTROLLER role with an {@link AgentListener}, as a
 * controller node runs it) fed a million malformed and truncated messages over real TCP by fuzzing switches, while a
 * well-behaved switch keeps doing echo round trips on its own connection. Every fuzz connection must end answered
 * (its last request replied to) or closed by the server, with the OFPT_ERROR the spec names for every message the
 * server could not decode; the server's event loops must survive, nothing may throw past the pipeline or the
 * listener, and the healthy connection must never miss a round trip.
 *
 * <p>The million malformed messages go to the keep policy, where a connection carries thousands of them. Under the
 * production policy each malformed message costs a connection (the server closes it), so that test's part is a
 * hundredth of it, spread among about a million valid messages.
 *
 * <p>Seeded: {@code -Dportmesh.fuzz.seed=N} replays a run (the seed is printed); {@code
 * -Dportmesh.fuzz.openflow.malformed=N} changes the count of malformed messages (the close policy's part is N/100).
 */
class OfServerFuzzTest {
    private static final long SEED = Long.getLong("portmesh.fuzz.seed", 20261207L);
    private static final int MALFORMED = Integer.getInteger("portmesh.fuzz.openflow.malformed", 1_000_000);
    private static final int WORKERS = 2;
    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * The production policy of a controller end: a connection is closed at its first malformed message. Most
     * messages are real ones with a new xid so that a connection carries about a hundred before it is closed; each
     * malformed message costs a connection, so the quota here is {@code MALFORMED / 100} (10^4 connections, about
     * 10^6 messages).
     */
    @Test
    void theControllerEndSurvivesTenThousandMalformedMessagesClosingOnlyTheBadConnections() throws Exception {
        Counts c = run(MalformedPolicy.BY_ROLE, 0.99, 200, MALFORMED / 100);
        assertThat(c.closedAfterMalformed.sum()).isPositive();
        assertThat(c.answered.sum()).isPositive();
    }

    /**
     * The same server with the policy that keeps connections, fed a million malformed messages (nine in ten of those
     * sent): each undecodable one must be answered by its own OFPT_ERROR (the server's count of decode errors per
     * connection equals the errors the connection received).
     */
    @Test
    void withTheKeepPolicyEveryMalformedMessageOfAMillionIsAnswered() throws Exception {
        Counts c = run(MalformedPolicy.KEEP_CONNECTION, 0.1, 2000, MALFORMED);
        // some mutations still decode (a flipped byte in a field no one checks): most do not
        assertThat(c.errorsReceived.sum()).isGreaterThan(MALFORMED / 2);
    }

    private Counts run(MalformedPolicy policy, double validShare, int batchMax, int malformed) throws Exception {
        String name = "fuzz-of-" + policy.name().toLowerCase();
        EndsByPort ends = new EndsByPort();
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
        Counts counts = new Counts();
        try (OfFuzzWatch watch = OfFuzzWatch.nettyAndPortmesh();
                OfServer server = OfServer.builder(OfRole.CONTROLLER, ends)
                        .config(OfConfig.defaults()
                                .withEcho(Duration.ofSeconds(1), 10)
                                .withMalformedPolicy(policy))
                        .eventLoopGroup(group)
                        .bind(TestConfigs.loopback(0))) {
            for (EventExecutor loop : group) {
                watch.watch(loop.submit(Thread::currentThread).get());
            }
            OfFuzzPeer healthy = OfFuzzPeer.connect(server.localAddress());
            healthy.helloAsSwitch(1, "healthy", WAIT);
            for (int i = 0; i < 10; i++) {
                assertThat(healthy.echoRoundTrip(WAIT)).as("echo before").isTrue();
            }
            LongAdder echoesDuring = new LongAdder();
            long millis = OfFuzzRun.run(
                    WORKERS,
                    SEED,
                    malformed,
                    (gen, quota) -> fuzzOneConnection(server, ends, gen, policy, validShare, batchMax, quota, counts),
                    () -> {
                        assertThat(healthy.echoRoundTrip(WAIT))
                                .as("echo during")
                                .isTrue();
                        echoesDuring.increment();
                        Thread.sleep(2);
                    });
            for (int i = 0; i < 10; i++) {
                assertThat(healthy.echoRoundTrip(WAIT)).as("echo after").isTrue();
            }
            assertThat(echoesDuring.sum())
                    .as("echo round trips during the fuzzing")
                    .isPositive();
            assertThat(ends.byPort).as("the healthy connection never ended").doesNotContainKey(healthy.localPort());
            assertThat(healthy.errors()).isZero();
            assertThat(server.isListening()).isTrue();
            assertThat(server.stats().get(OfStats.Counter.LISTENER_ERRORS)).isZero();
            assertThat(watch.problems()).isEmpty();
            assertThat(group.isShuttingDown()).isFalse();
            healthy.close();
            System.out.printf(
                    "OpenFlow controller fuzz (%s, seed %d): %d malformed or truncated and %d valid messages sent in"
                            + " %d ms (%.0f/s) over %d connections;"
                            + " closed by the server: %d after a malformed message, %d after a broken frame, %d"
                            + " during the HELLO; answered: %d; OFPT_ERRORs received: %d; echo round trips of the"
                            + " healthy connection during: %d; server: %s%n",
                    policy,
                    SEED,
                    counts.malformed.sum(),
                    counts.valid.sum(),
                    millis,
                    (counts.malformed.sum() + counts.valid.sum()) * 1000.0 / Math.max(1, millis),
                    counts.connections.sum(),
                    counts.closedAfterMalformed.sum(),
                    counts.closedAfterBreaker.sum(),
                    counts.closedInHello.sum(),
                    counts.answered.sum(),
                    counts.errorsReceived.sum(),
                    echoesDuring.sum(),
                    server.stats());
            assertThat(counts.malformed.sum()).as("malformed messages sent").isGreaterThanOrEqualTo(malformed);
            return counts;
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** One fuzzing switch: a batch of mutated messages on a fresh connection, and the checks of how it ended. */
    private static void fuzzOneConnection(
            OfServer server,
            EndsByPort ends,
            OfFuzzMessages gen,
            MalformedPolicy policy,
            double validShare,
            int batchMax,
            AtomicLong quota,
            Counts counts)
            throws Exception {
        counts.connections.increment();
        try (OfFuzzPeer peer = OfFuzzPeer.connect(server.localAddress())) {
            int port = peer.localPort();
            List<Frame> batch = new ArrayList<>();
            boolean inHello = gen.random().nextInt(100) < 3;
            if (inHello) {
                batch.add(gen.firstMessage());
            } else {
                peer.helloAsSwitch(gen.random().nextLong(), "fuzz", WAIT);
            }
            int n = 1 + gen.random().nextInt(batchMax);
            for (int i = 1; i < n; i++) {
                batch.add(gen.framed(validShare));
            }
            boolean broken = gen.random().nextInt(10) == 0 || inHello && isBreaker(batch.get(0));
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
            Verdict verdict = broken ? peer.finishClosingOutput(WAIT) : peer.finish(Marker.ECHO, WAIT);
            counts.errorsReceived.add(peer.errors());
            boolean closes = policy.closesFor(OfRole.CONTROLLER);
            // a first message of another version may be a HELLO that still offers 1.3: not certainly bad there
            List<Frame> certainlyBad = batch.subList(inHello ? 1 : 0, batch.size()).stream()
                    .filter(Frame::certainlyBad)
                    .toList();
            String what = "connection from port " + port + " (" + batch.size() + " messages, " + certainlyBad.size()
                    + " certainly bad, " + (broken ? "framing broken" : "framed") + ")";
            if (verdict == Verdict.ANSWERED) {
                counts.answered.increment();
                OfConnection live = liveConnection(server, port);
                assertThat(live)
                        .as("%s answered but not open at the server", what)
                        .isNotNull();
                assertThat(live.stats().decodeErrors())
                        .as("%s: decode errors at the server vs errors received", what)
                        .isEqualTo(peer.badRequests());
                if (closes) {
                    assertThat(certainlyBad)
                            .as("%s was answered though the policy closes", what)
                            .isEmpty();
                } else {
                    for (Frame bad : certainlyBad) {
                        assertThat(peer.answeredWithErrorFor(bad.xid()))
                                .as("%s: no error for xid %d (%s)", what, bad.xid(), bad.kind())
                                .isTrue();
                    }
                }
                peer.close();
                ends.await(port); // the server saw the close: the port may be used again
                return;
            }
            Throwable cause = ends.await(port);
            assertThat(cause)
                    .as("%s closed by the server without a cause", what)
                    .isNotNull();
            if (inHello
                    && !(cause instanceof OfProtocolException
                            && cause.getMessage().startsWith("undecodable"))) {
                counts.closedInHello.increment();
            } else if (broken
                    && !(cause instanceof OfProtocolException
                            && cause.getMessage().startsWith("undecodable"))) {
                counts.closedAfterBreaker.increment();
            } else {
                counts.closedAfterMalformed.increment();
                if (!broken) {
                    assertThat(closes || inHello)
                            .as("%s closed by a server that keeps connections: %s", what, cause)
                            .isTrue();
                }
            }
            if (cause instanceof OfProtocolException && cause.getMessage().startsWith("undecodable")) {
                assertThat(peer.badRequests())
                        .as("%s closed for %s with no error sent", what, cause)
                        .isPositive();
            }
            if (cause instanceof OfHandshakeException && cause.getMessage().contains("OpenFlow 1.3 only")) {
                assertThat(peer.helloFailures())
                        .as("%s refused (%s) with no error sent", what, cause)
                        .isPositive();
            }
            if (closes && !certainlyBad.isEmpty() && !inHello) {
                assertThat(peer.badRequests())
                        .as("%s: certainly bad, closed, but no error", what)
                        .isPositive();
            }
        }
    }

    private static boolean isBreaker(Frame f) {
        return f.kind().ordinal() > OfFuzzMessages.Kind.GARBAGE_FRAME.ordinal();
    }

    private static OfConnection liveConnection(OfServer server, int remotePort) {
        for (OfConnection c : server.connections()) {
            if (c.remoteAddress() instanceof InetSocketAddress a && a.getPort() == remotePort) {
                return c;
            }
        }
        return null;
    }

    /** The counts a run prints. */
    private static final class Counts {
        final LongAdder malformed = new LongAdder();
        final LongAdder valid = new LongAdder();
        final LongAdder connections = new LongAdder();
        final LongAdder answered = new LongAdder();
        final LongAdder closedAfterMalformed = new LongAdder();
        final LongAdder closedAfterBreaker = new LongAdder();
        final LongAdder closedInHello = new LongAdder();
        final LongAdder errorsReceived = new LongAdder();
    }

    /**
     * The listener a controller node has, without the actors: it reads every message into an {@link AgentMessage}
     * (as the controller does) and records why each connection ended, by the peer's port.
     */
    private static final class EndsByPort extends AgentListener {
        final Map<Integer, Throwable> byPort = new ConcurrentHashMap<>();
        private static final Throwable NONE = new Throwable("closed locally");

        @Override
        protected void onAgentMessage(OfConnection connection, AgentMessage message) {
            if (message == null) {
                throw new IllegalStateException("no agent message read");
            }
        }

        @Override
        public void onConnected(OfConnection connection) {}

        @Override
        public void onDisconnected(OfConnection connection, Throwable cause) {
            ended(connection.remoteAddress(), cause);
        }

        @Override
        public void onHandshakeFailed(SocketAddress remoteAddress, Throwable cause) {
            ended(remoteAddress, cause);
        }

        private void ended(SocketAddress remote, Throwable cause) {
            byPort.put(((InetSocketAddress) remote).getPort(), cause == null ? NONE : cause);
        }

        /** Why the connection from {@code port} ended, waiting for the server to report it; consumes the record. */
        Throwable await(int port) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Throwable t = byPort.remove(port);
                if (t != null) {
                    return t == NONE ? null : t;
                }
                Thread.sleep(0, 200_000);
            }
            throw new AssertionError("the server never reported the end of the connection from port " + port);
        }
    }
}
