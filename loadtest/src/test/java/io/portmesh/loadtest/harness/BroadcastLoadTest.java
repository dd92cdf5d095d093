package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broadcast load counts its ARP requests where they arrive: three VMs of one "switch" whose wires send to each
 * other (a hub on loopback, no agent), each request due once at each of the two others.
 */
class BroadcastLoadTest {
    private final List<PseudoWire> wires = new ArrayList<>();
    private final List<SimulatedVm> vms = new ArrayList<>();

    private List<SimulatedVm> hub(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            wires.add(PseudoWire.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of()));
        }
        for (int i = 0; i < n; i++) {
            int me = i;
            wires.get(i)
                    .setTrunks(wires.stream()
                            .filter(w -> w != wires.get(me))
                            .map(PseudoWire::localAddress)
                            .toList());
            vms.add(new SimulatedVm(
                    Mac.parse(String.format("52:54:19:ff:00:%02x", i + 1)),
                    Ipv4.parse("10.19.200." + (i + 1)),
                    100,
                    wires.get(i)));
        }
        return List.copyOf(vms);
    }

    @AfterEach
    void close() {
        vms.forEach(SimulatedVm::close);
        wires.forEach(PseudoWire::close);
    }

    @Test
    void everyRequestIsCountedOnceAtEachOtherVmOfItsSwitch() throws Exception {
        BroadcastLoad b = BroadcastLoad.start(List.of(hub(3)), 200);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (b.sent() < 60 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        b.close();

        assertThat(b.sent()).isGreaterThanOrEqualTo(60);
        assertThat(b.expected()).isEqualTo(2 * b.sent());
        assertThat(b.received()).isEqualTo(b.expected());
        assertThat(b.duplicates()).isZero();
    }

    @Test
    void aRequestDeliveredTwiceIsADuplicateAndOneNeverDeliveredIsLost() throws Exception {
        List<SimulatedVm> sw = hub(2);
        wires.get(1).setTrunks(List.of()); // VM 2's requests reach nobody
        BroadcastLoad b = BroadcastLoad.start(List.of(sw), 100);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (b.received() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        b.close();
        sw.get(0).sendArpRequest(Ipv4.parse("10.128.0.0")); // VM 1's first request again, as a replay would
        deadline = System.nanoTime() + 5_000_000_000L;
        while (b.duplicates() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(b.duplicates()).isEqualTo(1);
        assertThat(b.expected() - b.received()).as("lost: VM 2's").isEqualTo(b.sent() / 2);
    }
}
