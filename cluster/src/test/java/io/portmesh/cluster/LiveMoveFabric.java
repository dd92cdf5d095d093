package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.persistence.testkit.TestCassandra;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;

/**
 * The set-up of the live move integration tests (docs/architecture.md section 7.1): three controller nodes on the
 * real Cassandra, four hosts (a, b, c, d) with an agent each over real TCP, VXLAN between them on loopback addresses,
 * and one pseudo-wire (the host's port groups) per host for simulated VMs that send numbered frames.
 */
final class LiveMoveFabric implements AutoCloseable {
    /** Frames a second each way of a VM pair. */
    static final int RATE = 1_000;

    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    final TestCluster cluster;
    final NetworkService api;
    final List<String> hosts = new ArrayList<>();
    final List<DatapathAgent> agents = new ArrayList<>();
    final List<PseudoWire> wires = new ArrayList<>();
    final List<SimulatedVm> vms = new ArrayList<>();
    final SwitchId sw;

    LiveMoveFabric(TestCassandra cassandra, String tag) throws Exception {
        this(cassandra, tag, ConfigFactory.empty(), (h, controllers) -> controllers);
    }

    /**
     * @param extra settings of the controller nodes over the test timings (e.g. a short move timeout)
     * @param controllersOf the controller addresses host {@code h}'s agent is given, from the nodes' own (e.g. through
     *     a relay that drops some messages)
     */
    LiveMoveFabric(
            TestCassandra cassandra,
            String tag,
            Config extra,
            BiFunction<Integer, List<String>, List<String>> controllersOf)
            throws Exception {
        int[] ports = TestCluster.freePorts(7);
        cluster = TestCluster.start(
                cassandra, new int[] {ports[0], ports[1], ports[2]}, new int[] {ports[3], ports[4], ports[5]}, extra);
        api = cluster.nodes.get(0).service();
        String run = tag + Long.toHexString(System.nanoTime() & 0xFFFFF);
        // tunnel IPs are unique cluster-wide and the test Cassandra outlives a run: a loopback /24 of its own
        var rnd = java.util.concurrent.ThreadLocalRandom.current();
        String net = "127." + rnd.nextInt(16, 250) + "." + rnd.nextInt(1, 250) + ".";
        for (int i = 0; i < 4; i++) {
            String id = "mv-" + (char) ('a' + i) + "-" + run;
            String tep = net + (1 + i);
            await(api.createHost(HostId.of(id), Ipv4.parse(tep)));
            hosts.add(id);
            DatapathAgent agent = DatapathAgent.start(
                    AgentSettings.local(id, "a", tep, ports[6], controllersOf.apply(i, cluster.openflowAddresses())));
            agents.add(agent);
            wires.add(PseudoWire.open(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(agent.trunkAddress())));
        }
        sw = SwitchId.of("mv-" + run);
        await(api.createSwitch(sw, Optional.empty()));
    }

    /** A port bound (realized) on host {@code h} and its VM on that host's wire. */
    SimulatedVm vm(String mac, String ip, int h) throws Exception {
        PortInfo p = await(api.createPort(sw, Mac.parse(mac), List.of(Ipv4.parse(ip)), Optional.empty()));
        BindingResult b = await(api.bindPort(PortId.of(p.id()), HostId.of(hosts.get(h)), true));
        assertThat(b.realization().realized()).as("binding of %s realized", mac).isTrue();
        SimulatedVm vm = new SimulatedVm(Mac.parse(mac), Ipv4.parse(ip), b.vlan(), wires.get(h));
        portGroup(h, b.vlan());
        vms.add(vm);
        return vm;
    }

    /**
     * The inventory configures the VM's port group on host {@code h} with {@code vlan} (before the VM runs there, as
     * vCenter does with the VLAN a move answers): the host's trunk knows which wire carries it.
     */
    void portGroup(int h, int vlan) {
        ((TrunkPort) agents.get(h).ports().get(DatapathPorts.TRUNK))
                .bindVlan(vlan, wires.get(h).localAddress());
    }

    /** Starts a move and waits until the destination and every peer acknowledged the dual delivery. */
    MigrationInfo startMove(String port, int to) throws Exception {
        MigrationInfo m = await(api.startMigration(PortId.of(port), HostId.of(hosts.get(to)), true));
        assertThat(m.state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(m.realization().realized())
                .as("destination and peers ready: %s", m.realization())
                .isTrue();
        portGroup(to, m.toVlan());
        return m;
    }

    MigrationInfo awaitEnded(String port, String state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        MigrationInfo last = null;
        while (System.nanoTime() < deadline) {
            last = await(api.getMigration(PortId.of(port)));
            if (last.state().equals(state)) {
                return last;
            }
            TestCluster.sleep(20);
        }
        throw new AssertionError("move of " + port + " not " + state + " in 20 s: " + last);
    }

    /** The Portmesh flows on host {@code h}'s agent. */
    long portmeshFlows(int h) {
        return portmeshEntries(h).count();
    }

    /** The straggler flows (of ports let go of after a move) on host {@code h}'s agent. */
    long stragglerFlows(int h) {
        return portmeshEntries(h)
                .filter(e -> Cookies.rule(e.getCookie().getValue()) == Cookies.STRAGGLER)
                .count();
    }

    /** Host {@code h}'s agent's Portmesh flows, read from its own flow table. */
    Stream<OFFlowStatsEntry> portmeshEntries(int h) {
        OFFlowStatsRequest all = OF13.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(OF13.buildMatch().build())
                .build();
        return agents.get(h).tables().flowStats(all).stream()
                .filter(e -> Cookies.isPortmesh(e.getCookie().getValue()));
    }

    /** Waits (20 s at most) until host {@code h}'s agent has {@code n} flows as {@code count} counts them. */
    void awaitFlows(int h, java.util.function.IntToLongFunction count, long n, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (count.applyAsLong(h) != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " on host " + h + ": " + count.applyAsLong(h) + ", not " + n);
            }
            TestCluster.sleep(20);
        }
    }

    String portOf(SimulatedVm vm) {
        return await(api.listPorts(sw)).stream()
                .filter(p -> Mac.parse(p.mac()).equals(vm.mac()))
                .findFirst()
                .orElseThrow()
                .id();
    }

    @Override
    public void close() {
        vms.forEach(SimulatedVm::close);
        wires.forEach(PseudoWire::close);
        agents.forEach(DatapathAgent::close);
        cluster.close();
    }

    /** Numbered frames at {@link #RATE} for at most 20 s, until the test stops it. */
    static FrameStream stream(SimulatedVm from, SimulatedVm to) {
        return FrameStream.from(from)
                .to(to)
                .rate(RATE)
                .count(20L * RATE)
                .maxDuration(Duration.ofSeconds(20))
                .start();
    }

    static StreamStats finish(FrameStream s) throws InterruptedException {
        s.stop();
        return s.awaitReceived(Duration.ofSeconds(2));
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(40, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
