package io.portmesh.agent.control;

import static io.portmesh.agent.control.ScriptedController.WAIT_SECONDS;
import static io.portmesh.agent.control.TwoHostNetwork.BLUE_PING;
import static io.portmesh.agent.control.TwoHostNetwork.M1;
import static io.portmesh.agent.control.TwoHostNetwork.M2;
import static io.portmesh.agent.control.TwoHostNetwork.M4;
import static io.portmesh.agent.control.TwoHostNetwork.RED_PING;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.PortStats;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.model.Mac;
import io.portmesh.sim.EtherFrames;
import io.portmesh.sim.PingFrames;
import io.portmesh.sim.SimulatedVm;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two agents, two logical switches spread over both hosts, flows computed by the controller's {@link
 * io.portmesh.model.flow.FlowCompiler} and pushed over OpenFlow: unicast and broadcast cross the VXLAN tunnel inside
 * each switch, and nothing crosses between the switches although they share VLAN numbers and a MAC address.
 */
class AgentForwardingTest {
    private static final int PINGS = 20;

    private TwoHostNetwork net;

    @BeforeEach
    void start() throws Exception {
        net = TwoHostNetwork.running();
    }

    @AfterEach
    void stop() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void unicastPingsCrossTheTunnelInsideEachSwitch() {
        net.pingAllPairs(PINGS);

        for (SimulatedVm vm : net.all()) {
            var s = vm.pingStats();
            assertThat(s.sent()).as("%s sent", vm).isEqualTo(PINGS);
            assertThat(s.duplicates()).as("%s duplicates", vm).isZero();
            assertThat(s.unexpected()).as("%s unexpected", vm).isZero();
            // vm1 and vm3 share M1: each answered exactly the pings of its own switch's peer
            assertThat(s.answered()).as("%s answered", vm).isEqualTo(PINGS);
        }
        // every request and reply went through the tunnel: none of these VMs has a peer on its own host
        PortStats vxlanA = net.agentA.ports().get(Pipeline.TUNNEL_PORT).stats();
        PortStats vxlanB = net.agentB.ports().get(Pipeline.TUNNEL_PORT).stats();
        assertThat(vxlanA.txPackets()).isEqualTo(4L * PINGS);
        assertThat(vxlanB.txPackets()).isEqualTo(4L * PINGS);
        assertThat(vxlanA.rxPackets()).isEqualTo(4L * PINGS);
        assertThat(vxlanB.rxPackets()).isEqualTo(4L * PINGS);
    }

    @Test
    void broadcastArpResolvesAcrossTheTunnelInsideEachSwitch() throws Exception {
        assertThat(resolve(net.vm1, net.vm2)).isEqualTo(M2);
        assertThat(resolve(net.vm2, net.vm1)).isEqualTo(M1);
        assertThat(resolve(net.vm3, net.vm4)).isEqualTo(M4);
        assertThat(resolve(net.vm4, net.vm3)).isEqualTo(M1);

        // the request reached the far end as a broadcast, on the receiver's own access VLAN
        assertThat(net.vm2.hasReceived(f -> isArpRequestFrom(f, net.vm1))).isTrue();
        assertThat(net.vm4.hasReceived(f -> isArpRequestFrom(f, net.vm3))).isTrue();
        assertThat(net.vm2.receivedFrames())
                .filteredOn(f -> isArpRequestFrom(f, net.vm1))
                .allSatisfy(f -> {
                    assertThat(EtherFrames.dst(f)).isEqualTo(Mac.BROADCAST);
                    assertThat(EtherFrames.vlan(f, f.length)).isEqualTo(net.vm2.vlan());
                });
    }

    @Test
    void switchesStayApartDespiteSharedVlanNumbersAndMac() throws Exception {
        // legitimate traffic in both switches, broadcast and unicast
        resolve(net.vm1, net.vm2);
        resolve(net.vm4, net.vm3);
        // attempts to reach across: ARP for the other switch's addresses, pings to its MACs
        CompletableFuture<Mac> blueAsksRed = net.vm1.resolve(net.vm4.ip());
        CompletableFuture<Mac> redAsksBlue = net.vm4.resolve(net.vm2.ip());
        CompletableFuture<Mac> redAsksSameHostBlue = net.vm3.resolve(net.vm1.ip());
        net.vm1.sendPing(M4, BLUE_PING);
        net.vm4.sendPing(M2, RED_PING);

        net.quiesce();

        assertThat(blueAsksRed).isNotDone();
        assertThat(redAsksBlue).isNotDone();
        assertThat(redAsksSameHostBlue).isNotDone();
        assertThat(net.vm4.pingStats().answered())
                .as("vm4 answered only red pings")
                .isEqualTo(2);
        assertThat(net.vm2.pingStats().answered())
                .as("vm2 answered only blue pings")
                .isEqualTo(2);
        // quiesce() pinged M1 twice from each switch: each M1 answered its own switch only
        assertThat(net.vm1.pingStats().answered()).as("vm1 (blue M1) answered").isEqualTo(2);
        assertThat(net.vm3.pingStats().answered()).as("vm3 (red M1) answered").isEqualTo(2);
        for (SimulatedVm vm : net.blue()) {
            assertThat(vm.receivedFrames())
                    .as("frames at blue %s", vm)
                    .allSatisfy(f -> assertThat(origin(f)).isEqualTo("blue"));
        }
        for (SimulatedVm vm : net.red()) {
            assertThat(vm.receivedFrames())
                    .as("frames at red %s", vm)
                    .allSatisfy(f -> assertThat(origin(f)).isEqualTo("red"));
        }
        // the checks above looked at real traffic: each VM saw some of its own switch's
        net.all()
                .forEach(vm ->
                        assertThat(vm.receivedCount()).as("%s received", vm).isGreaterThan(2));
    }

    private static Mac resolve(SimulatedVm from, SimulatedVm target) throws Exception {
        return from.resolve(target.ip()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static boolean isArpRequestFrom(byte[] f, SimulatedVm sender) {
        return EtherFrames.innerEtherType(f) == EtherFrames.ETHERTYPE_ARP
                && u16(f, EtherFrames.TAGGED_HEADER + 6) == EtherFrames.ARP_REQUEST
                && i32(f, EtherFrames.TAGGED_HEADER + 14) == sender.ip().value();
    }

    /**
     * Which switch a frame was sent in: ARP by its sender address (10.0.1.0/24 blue, 10.0.2.0/24 red), pings by their
     * size; anything else is "unknown" (no test here sends anything else).
     */
    private static String origin(byte[] f) {
        int type = EtherFrames.innerEtherType(f);
        if (type == EtherFrames.ETHERTYPE_ARP) {
            int subnet = i32(f, EtherFrames.TAGGED_HEADER + 14) >>> 8;
            return subnet == 0x0A0001 ? "blue" : subnet == 0x0A0002 ? "red" : "unknown";
        }
        if (PingFrames.type(f, f.length) != 0) {
            return f.length == BLUE_PING ? "blue" : f.length == RED_PING ? "red" : "unknown";
        }
        return "unknown";
    }

    private static int u16(byte[] f, int off) {
        return ByteBuffer.wrap(f).getShort(off) & 0xFFFF;
    }

    private static int i32(byte[] f, int off) {
        return ByteBuffer.wrap(f).getInt(off);
    }
}
