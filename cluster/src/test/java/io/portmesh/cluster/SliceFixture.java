package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.SimulatedVm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The steps the cluster integration tests share: VMs created and bound through the API, pings, bounded waits. */
final class SliceFixture implements AutoCloseable {
    final List<SimulatedVm> vms = new ArrayList<>();
    /** VM -> the id of its logical port. */
    final Map<SimulatedVm, String> vmPorts = new HashMap<>();

    /** A port created in {@code sw}, bound to {@code host} with wait=realized, and its VM on the host's trunk. */
    SimulatedVm vm(NetworkService api, SwitchId sw, String mac, String ip, String host, DatapathAgent agent)
            throws Exception {
        PortInfo port = api.createPort(sw, Mac.parse(mac), List.of(Ipv4.parse(ip)), Optional.of("vm-" + ip))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        BindingResult b = api.bindPort(PortId.of(port.id()), HostId.of(host), true)
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(b.realization().realized())
                .as("binding of %s realized: %s", mac, b.realization())
                .isTrue();
        SimulatedVm vm = new SimulatedVm(Mac.parse(mac), Ipv4.parse(ip), b.vlan(), agent.trunkAddress());
        vm.sendGratuitousArp(); // the trunk learns which pseudo-wire endpoint has this VLAN
        vms.add(vm);
        vmPorts.put(vm, port.id());
        return vm;
    }

    static void pingUntilAnswered(SimulatedVm from, SimulatedVm to) {
        long before = from.pingStats().received();
        awaitTrue("ping " + from.ip() + " -> " + to.ip(), () -> {
            from.sendPing(to.mac(), 128);
            TestCluster.sleep(50);
            return from.pingStats().received() > before;
        });
    }

    static void awaitTrue(String what, BooleanSupplier check) {
        awaitTrue(what, Duration.ofSeconds(60), check);
    }

    static void awaitTrue(String what, Duration timeout, BooleanSupplier check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (check.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // an entity still recovering: try again
            }
            TestCluster.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
    }

    @Override
    public void close() {
        vms.forEach(SimulatedVm::close);
    }
}
