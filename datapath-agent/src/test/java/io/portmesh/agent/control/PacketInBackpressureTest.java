package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.openflow.OfConnection;
import io.portmesh.sim.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * Packet-ins never hold up the datapath: a busy control thread or a controller that stops reading costs packet-ins
 * (dropped and counted), never a frame's way through the pipeline, and memory stays bounded.
 */
class PacketInBackpressureTest {
    private static final String MAC = "52:54:00:00:09:01";

    private ScriptedController ctl;
    private SilentController silent;
    private DatapathAgent agent;
    private OfConnection c;

    /** Says HELLO, then never reads: an OpenFlow peer whose receive window fills. */
    private static final class SilentController implements AutoCloseable {
        private final ServerSocket server;
        private final Thread acceptor;
        private volatile Socket socket;

        SilentController() throws IOException {
            server = new ServerSocket();
            server.setReceiveBufferSize(4096); // accepted sockets inherit it: the agent's writes back up soon
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            acceptor = new Thread(this::accept, "silent-controller");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void accept() {
            try {
                Socket s = server.accept();
                socket = s;
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {4, 0, 0, 8, 0, 0, 0, 1}); // OFPT_HELLO, OpenFlow 1.3
                out.flush();
            } catch (IOException e) {
                // closed by the test
            }
        }

        String hostPort() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            Socket s = socket;
            if (s != null) {
                s.close();
            }
            server.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        ctl = new ScriptedController();
        silent = new SilentController();
    }

    private void startAgent(List<String> controllers) throws Exception {
        // the silent controller answers no echo: keep its connection for the whole test however slow the machine
        agent = DatapathAgent.start(
                TestAgents.settings("host-p", 0, controllers, "127.0.0.1", 0, 4789, "openflow.echo-miss-limit = 1000"));
        c = ctl.awaitConnection();
        var master = c.factory()
                .buildRoleRequest()
                .setRole(OFControllerRole.ROLE_MASTER)
                .setGenerationId(U64.of(1))
                .build();
        assertThat(c.request(master, OFRoleReply.class)
                        .get(WAIT_SECONDS, TimeUnit.SECONDS)
                        .getRole())
                .isEqualTo(OFControllerRole.ROLE_MASTER);
        // every frame from the trunk goes to the controller
        ScriptedController.sendAndSync(
                c,
                List.of(add(0, 1, any(), apply(F.actions().output(OFPort.CONTROLLER, 0xFFFF)))
                        .build()));
        assertThat(ctl.received(c)).noneMatch(m -> m instanceof OFErrorMsg);
    }

    @AfterEach
    void stop() throws IOException {
        if (agent != null) {
            agent.close();
        }
        ctl.close();
        silent.close();
    }

    private long packetInsAtController() {
        return ctl.received(c).stream().filter(m -> m instanceof OFPacketIn).count();
    }

    /** Runs {@code n} frames through the pipeline on this thread (a datapath thread) and returns the nanoseconds. */
    private long process(int n, byte[] f) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            agent.pipeline().process(Pipeline.TRUNK_PORT, 0, 0, f, 0, f.length);
        }
        return System.nanoTime() - t0;
    }

    @Test
    void aBusyControlThreadCostsPacketInsNotTheDatapath() throws Exception {
        startAgent(List.of(ctl.hostPort()));
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        agent.runOnControl(() -> {
            busy.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        int frames = 3 * DatapathAgent.MAX_PENDING_PACKET_INS;
        long nanos = process(frames, frame("ff:ff:ff:ff:ff:ff", MAC, 10, 0x8035, 46));

        // every call came back at once although no packet-in could leave
        assertThat(TimeUnit.NANOSECONDS.toMillis(nanos)).isLessThan(5_000);
        assertThat(agent.pipeline().counters().toController()).isEqualTo(frames);
        var held = agent.packetInStats();
        assertThat(held.pending()).isEqualTo(DatapathAgent.MAX_PENDING_PACKET_INS);
        assertThat(held.queued()).isEqualTo(DatapathAgent.MAX_PENDING_PACKET_INS);
        assertThat(held.overflowed()).isEqualTo(frames - DatapathAgent.MAX_PENDING_PACKET_INS);
        assertThat(held.sent()).isZero();

        release.countDown();
        Await.until(() -> agent.packetInStats().pending() == 0, () -> "" + agent.packetInStats());
        var after = agent.packetInStats();
        // the one connection got each queued packet-in, or it was skipped while its outbound buffer was full
        assertThat(after.sent() + after.unwritable()).isEqualTo(DatapathAgent.MAX_PENDING_PACKET_INS);
        assertThat(after.sent()).isPositive();
        ScriptedController.barrier(c);
        Await.until(() -> packetInsAtController() == after.sent(), () -> packetInsAtController() + " packet-ins");
    }

    @Test
    void aControllerThatStopsReadingCostsItsPacketInsNotTheDatapathNorTheOtherController() throws Exception {
        startAgent(List.of(ctl.hostPort(), silent.hostPort()));
        Await.until(() -> agent.connectedControllers() == 2, () -> "the silent controller did not connect");
        byte[] big = frame("ff:ff:ff:ff:ff:ff", MAC, 10, 0x8035, 8_000);

        // until the silent controller's connection backs up: its TCP window and then the 64 KiB outbound buffer fill
        long worstBatchMillis = 0;
        for (int batch = 0; batch < 40 && agent.packetInStats().unwritable() == 0; batch++) {
            worstBatchMillis = Math.max(worstBatchMillis, TimeUnit.NANOSECONDS.toMillis(process(100, big)));
            Await.until(() -> agent.packetInStats().pending() == 0, () -> "" + agent.packetInStats());
        }
        var backedUp = agent.packetInStats();
        assertThat(backedUp.unwritable()).as("%s", backedUp).isPositive();
        assertThat(worstBatchMillis).as("100 frames through the pipeline").isLessThan(5_000);

        // the controller that reads still gets every packet-in, one at a time
        ScriptedController.barrier(c); // all it was sent so far is in
        long before = packetInsAtController();
        long sentBefore = agent.packetInStats().sent();
        byte[] small = frame("ff:ff:ff:ff:ff:ff", MAC, 10, 0x8035, 46);
        for (int i = 0; i < 50; i++) {
            process(1, small);
            Await.until(() -> agent.packetInStats().pending() == 0, () -> "" + agent.packetInStats());
        }
        ScriptedController.barrier(c);
        Await.until(() -> packetInsAtController() - before == 50, () -> packetInsAtController() - before + " of 50");
        var last = agent.packetInStats();
        // each of the 50 went to both connections or was skipped for one (the silent one writable again only when
        // the kernel takes more of its backlog)
        assertThat((last.sent() - sentBefore) + (last.unwritable() - backedUp.unwritable()))
                .isEqualTo(100);
        assertThat(last.sent() - sentBefore).isGreaterThanOrEqualTo(50);
    }
}
