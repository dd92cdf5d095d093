package io.portmesh.agent.control;

import io.portmesh.openflow.OfClient;
import io.portmesh.openflow.OfConfig;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * A controller that dials the agent's listen port, as ovs-ofctl or a lab controller does; records the unsolicited
 * messages (errors answering fire-and-forget messages) it receives.
 */
final class ListenPortClient implements AutoCloseable {
    private final OfClient client;
    private final BlockingQueue<OfConnection> connected = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<OFMessage> received = new ConcurrentLinkedQueue<>();

    ListenPortClient(InetSocketAddress listen) {
        client = OfClient.builder(OfRole.CONTROLLER, new OfMessageListener() {
                    @Override
                    public void onConnected(OfConnection c) {
                        connected.add(c);
                    }

                    @Override
                    public void onMessage(OfConnection c, OFMessage m) {
                        received.add(m);
                    }

                    @Override
                    public void onDisconnected(OfConnection c, Throwable cause) {}
                })
                .config(OfConfig.defaults()
                        .withEcho(ScriptedController.LENIENT_ECHO, ScriptedController.LENIENT_ECHO_MISSES))
                .connect(listen);
    }

    OfConnection awaitConnection() throws InterruptedException {
        OfConnection c = connected.poll(ScriptedController.WAIT_SECONDS, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no connection to the listen port");
        }
        return c;
    }

    Optional<OFErrorMsg> errorFor(long xid) {
        return List.copyOf(received).stream()
                .filter(m -> m instanceof OFErrorMsg && m.getXid() == xid)
                .map(OFErrorMsg.class::cast)
                .findFirst();
    }

    @Override
    public void close() {
        client.close();
    }
}
