package io.portmesh.agent.control;

import io.portmesh.openflow.OfConfig;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.types.U64;

/**
 * A controller the test drives by hand: an {@link OfServer} in CONTROLLER role on 127.0.0.1:0 that hands out each
 * agent connection once its handshake is done and records every unsolicited message (errors not tied to a pending
 * request, port status, packet-in) per connection.
 */
final class ScriptedController implements AutoCloseable {
    static final long WAIT_SECONDS = 10;
    /**
     * Keepalive is not under test here, and on a loaded two-core machine an event loop can stall past the production
     * 200 ms x 3: both ends use 1 s x 10 so a slow moment does not drop a connection in the middle of a test.
     */
    static final Duration LENIENT_ECHO = Duration.ofSeconds(1);

    static final int LENIENT_ECHO_MISSES = 10;

    private final OfServer server;
    private final BlockingQueue<OfConnection> connected = new LinkedBlockingQueue<>();
    private final Map<OfConnection, ConcurrentLinkedQueue<OFMessage>> received = new ConcurrentHashMap<>();

    ScriptedController() throws IOException {
        this(new InetSocketAddress("127.0.0.1", 0));
    }

    /** A controller listening on {@code bind}. */
    ScriptedController(InetSocketAddress bind) throws IOException {
        OfMessageListener listener = new OfMessageListener() {
            @Override
            public void onConnected(OfConnection c) {
                received.computeIfAbsent(c, k -> new ConcurrentLinkedQueue<>());
                connected.add(c);
            }

            @Override
            public void onMessage(OfConnection c, OFMessage m) {
                received.computeIfAbsent(c, k -> new ConcurrentLinkedQueue<>()).add(m);
            }

            @Override
            public void onDisconnected(OfConnection c, Throwable cause) {
                // the tests look at the agent's side of a disconnect
            }
        };
        server = OfServer.builder(OfRole.CONTROLLER, listener)
                .config(OfConfig.defaults().withEcho(LENIENT_ECHO, LENIENT_ECHO_MISSES))
                .bind(bind);
    }

    /** Controllers on {@code ips}, all on one port (a free one; a port taken on one of them is a bounded retry). */
    static List<ScriptedController> onOnePort(String... ips) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            List<ScriptedController> made = new ArrayList<>();
            try {
                made.add(new ScriptedController(new InetSocketAddress(ips[0], 0)));
                int port = made.get(0).address().getPort();
                for (int i = 1; i < ips.length; i++) {
                    made.add(new ScriptedController(new InetSocketAddress(ips[i], port)));
                }
                return made;
            } catch (IOException taken) {
                made.forEach(ScriptedController::close);
            }
        }
        throw new IOException("no TCP port free on all of " + Arrays.toString(ips) + " in 20 attempts");
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    String hostPort() {
        return address().getAddress().getHostAddress() + ":" + server.port();
    }

    /** The next agent connection whose handshake finished. */
    OfConnection awaitConnection() throws InterruptedException {
        return awaitConnection(WAIT_SECONDS);
    }

    /** As above, waiting up to {@code seconds} (an agent in a JVM still starting up needs more). */
    OfConnection awaitConnection(long seconds) throws InterruptedException {
        OfConnection c = connected.poll(seconds, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no agent connected to " + address() + " within " + seconds + " s");
        }
        return c;
    }

    /** Unsolicited messages received on {@code c} so far, in order. */
    List<OFMessage> received(OfConnection c) {
        return List.copyOf(received.getOrDefault(c, new ConcurrentLinkedQueue<>()));
    }

    /** The error that answered the message with {@code xid}, if one arrived. */
    Optional<OFErrorMsg> errorFor(OfConnection c, long xid) {
        return received(c).stream()
                .filter(m -> m instanceof OFErrorMsg && m.getXid() == xid)
                .map(OFErrorMsg.class::cast)
                .findFirst();
    }

    /**
     * Sends the messages, then a barrier, and waits for its reply: the agent handles messages in order on one thread,
     * so when this returns every message is applied and every error it caused has been delivered to this listener.
     */
    static void sendAndSync(OfConnection c, List<? extends OFMessage> messages) throws Exception {
        c.send(messages);
        barrier(c);
    }

    /** Sends a role request and returns the agent's reply (an error reply fails with ExecutionException). */
    static OFRoleReply role(OfConnection c, OFControllerRole role, long generation) throws Exception {
        var request = c.factory()
                .buildRoleRequest()
                .setRole(role)
                .setGenerationId(U64.of(generation))
                .build();
        return c.request(request, OFRoleReply.class).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    static OFBarrierReply barrier(OfConnection c) throws Exception {
        CompletableFuture<OFBarrierReply> f = c.barrier();
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.close();
    }
}
