package io.portmesh.loadtest.nodeloss;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.control.MasterGrant;
import io.portmesh.agent.io.TrunkPort;
import io.portmesh.loadtest.FrameCounts;
import io.portmesh.loadtest.bind.BenchHosts;
import io.portmesh.loadtest.bind.Sleep;
import io.portmesh.loadtest.demo.RestClient;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.flow.DatapathPorts;
import io.portmesh.sim.FrameStream;
import io.portmesh.sim.PseudoWire;
import io.portmesh.sim.SimulatedVm;
import io.portmesh.sim.StreamStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the node-loss tests and benchmark (issue 18) run on: three controller nodes in JVMs of their own
 * ({@link ControllerNodes}) on one Cassandra, {@code hosts} hosts each with a real agent in this JVM connected to all
 * three nodes, VM pairs on different hosts exchanging numbered frames, and a steady create+bind load ({@link PortLoad})
 * through the REST API. Load switch s spans hosts s and s+1 (mod hosts): a binding fans out to two hosts, so a change
 * can be told to touch only entities of surviving nodes. Where each host and switch entity lives is learnt when it is
 * created, and which node runs each port shard by probing ({@link EntityPlacement}), before any load, when the settings
 * ask for it (only {@link #awayFrom} needs it: its 100 port probes, each a port entity recovered from Cassandra between
 * two {@code GET /v1/cluster}, are 300 calls of the set-up).
 */
public final class NodeLossFabric implements AutoCloseable {
    private static final Duration SETTLE_POLL = Duration.ofMillis(250);
    private static final int SWITCH_TRIES = 12;

    /**
     * Sizes and rates; the defaults suit a test on a 2-core machine. {@code placeEntities}: learn where each host and
     * switch entity and each port shard runs ({@link #hostEntityNodes}, {@link #awayFrom}); off, those are empty.
     */
    public record Settings(
            int hosts,
            int switches,
            int vmPairs,
            int frameRate,
            boolean placeEntities,
            int agentProcesses,
            boolean ownGroups,
            boolean pairs) {
        public Settings(int hosts, int switches, int vmPairs, int frameRate) {
            this(hosts, switches, vmPairs, frameRate, false, 0, false, false);
        }

        /**
         * The first {@code n} hosts with their agent in a JVM of its own ({@link AgentJvms}, what an agent kill needs),
         * and with {@code ownGroups} the nodes each in a group of its own (what a partition needs).
         */
        public Settings withProcesses(int n, boolean groups) {
            return new Settings(hosts, switches, vmPairs, frameRate, placeEntities, n, groups, pairs);
        }

        /** The hosts of {@code agentProcesses} each with an HA pair of agents ({@link PairHosts}), or one. */
        public Settings withPairs(boolean p) {
            return new Settings(hosts, switches, vmPairs, frameRate, placeEntities, agentProcesses, ownGroups, p);
        }

        public static Settings defaults() {
            return new Settings(6, 6, 3, 200);
        }

        public Settings withEntityPlacement() {
            return new Settings(hosts, switches, vmPairs, frameRate, true, agentProcesses, ownGroups, pairs);
        }
    }

    private final Settings settings;
    private final String run = Long.toString(System.nanoTime() & 0xFFFFFF, 36);
    private final ControllerNodes nodes;
    private final List<String> hosts = new ArrayList<>();
    private final Map<String, String> hostEntityNode = new HashMap<>();
    private final List<String> switches = new ArrayList<>();
    private final Map<String, String> switchEntityNode = new HashMap<>();
    private Map<Integer, String> portShards = Map.of();
    private final List<DatapathAgent> agents = new ArrayList<>();
    private final Map<String, DatapathAgent> agentOf = new java.util.LinkedHashMap<>();
    private AgentJvms agentJvms;
    private PairHosts pairHosts;
    private final Map<String, List<InetSocketAddress>> processTrunks = new HashMap<>();
    private final List<PseudoWire> wires = new ArrayList<>();
    private final List<SimulatedVm> vms = new ArrayList<>();
    /** Each VM's port and the host (index) it was bound on, in the VMs' order. */
    private final List<String> vmPorts = new ArrayList<>();

    private final List<Integer> vmHosts = new ArrayList<>();
    private final List<FrameStream> streams = new ArrayList<>();
    private final List<PortLoad> loads = new ArrayList<>();
    private int recoverySwitches;
    private double bringUpSeconds = Double.NaN;
    /** The hosts each switch of the run has ports on (or will: a recovery switch's probe host). */
    private final Map<String, List<String>> switchHosts = new java.util.concurrent.ConcurrentHashMap<>();

    private NodeLossFabric(Settings settings, ControllerNodes nodes) {
        this.settings = settings;
        this.nodes = nodes;
    }

    /** Starts the nodes, registers the hosts, starts their agents, creates the switches and binds the VMs. */
    public static NodeLossFabric start(Settings s, String cassandra, Path logs, Duration timeout) throws Exception {
        NodeLossFabric f = new NodeLossFabric(s, ControllerNodes.start(cassandra, logs, timeout, s.ownGroups()));
        try {
            f.agentJvms = new AgentJvms(f.nodes.openflowAddresses(), logs);
            f.pairHosts = new PairHosts(f.agentJvms, f.nodes.apis());
            f.setUp(timeout);
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    private void setUp(Duration timeout) throws Exception {
        long bringUpStart = System.nanoTime();
        RestClient api = nodes.api(0);
        var rnd = ThreadLocalRandom.current();
        int second = rnd.nextInt(16, 250);
        int third = rnd.nextInt(1, 249);
        String net = "127." + second + "." + third + ".";
        String netB = "127." + second + "." + (third + 1) + "."; // a pair host's slot b
        List<String> teps = new ArrayList<>();
        List<String> tepsB = new ArrayList<>();
        for (int i = 0; i < settings.hosts(); i++) {
            teps.add(net + (i + 1));
            tepsB.add(netB + (i + 1));
        }
        List<String> allTeps = new ArrayList<>(teps);
        allTeps.addAll(settings.pairs() ? tepsB.subList(0, settings.agentProcesses()) : List.of());
        int vxlanPort = BenchHosts.commonFreeUdpPort(allTeps);
        for (int i = 0; i < settings.hosts(); i++) {
            String h = "nl-" + run + "-h" + (i + 1);
            String tep = teps.get(i);
            EntityPlacement.Action register =
                    () -> api.expectOk(api.post("/v1/hosts", Map.of("name", h, "tunnelIp", tep)), h);
            if (settings.placeEntities()) {
                hostEntityNode.put(h, EntityPlacement.whereStarted(api, "Host", register));
            } else {
                register.run();
            }
            hosts.add(h);
        }
        for (int i = 0; i < settings.hosts(); i++) {
            if (i < settings.agentProcesses()) {
                InetSocketAddress trunk = settings.pairs()
                        ? pairHosts.startSlotA(hosts.get(i), teps.get(i), tepsB.get(i), vxlanPort)
                        : agentJvms.start(hosts.get(i), teps.get(i), vxlanPort);
                processTrunks.put(hosts.get(i), new ArrayList<>(List.of(trunk)));
                continue;
            }
            DatapathAgent a = DatapathAgent.start(
                    AgentSettings.local(hosts.get(i), "a", teps.get(i), vxlanPort, nodes.openflowAddresses()));
            agents.add(a);
            agentOf.put(hosts.get(i), a);
        }
        for (int s = 0; s < settings.switches(); s++) {
            String sw = "nl-" + run + "-s" + (s + 1);
            EntityPlacement.Action create = () -> api.expectOk(api.post("/v1/switches", Map.of("name", sw)), sw);
            if (settings.placeEntities()) {
                switchEntityNode.put(sw, EntityPlacement.whereStarted(api, "LogicalSwitch", create));
            } else {
                create.run();
            }
            switches.add(sw);
            switchHosts.put(sw, List.of(hosts.get(s % hosts.size()), hosts.get((s + 1) % hosts.size())));
        }
        if (settings.placeEntities()) {
            portShards = EntityPlacement.portShards(api, run);
        }
        pairHosts.awaitSlotsA(timeout);
        for (int p = 0; p < settings.vmPairs(); p++) {
            String sw = "nl-" + run + "-vm" + (p + 1);
            api.expectOk(api.post("/v1/switches", Map.of("name", sw)), sw);
            vm(sw, p, 1, p % settings.hosts());
            vm(sw, p, 2, (p + settings.hosts() / 2) % settings.hosts());
            switchHosts.put(
                    sw,
                    List.of(hosts.get(p % settings.hosts()), hosts.get((p + settings.hosts() / 2) % settings.hosts())));
        }
        if (!pairHosts.hosts().isEmpty()) {
            pairHosts
                    .startSlotsB(vxlanPort, timeout)
                    .forEach((h, t) -> processTrunks.get(h).add(t));
            for (int k = 0; k < wires.size(); k++) { // the pair hosts' VMs' port groups wired to both slots
                wires.get(k).setTrunks(trunksOf(hosts.get(vmHosts.get(k))));
            }
            vms.forEach(SimulatedVm::sendGratuitousArp); // the standbys learn where the VMs are
        }
        long settled = awaitSettled(timeout);
        if (settled < 0) {
            throw new IllegalStateException("hosts not settled: " + unsettled());
        }
        bringUpSeconds = (settled - bringUpStart) / 1e9;
    }

    /**
     * The bring-up: from the first host's registration (the nodes Up) until every host was settled (its agent
     * connected to every node, one master, the VMs' ports bound and realized), in seconds.
     */
    public double bringUpSeconds() {
        return bringUpSeconds;
    }

    private SimulatedVm vm(String sw, int pair, int side, int host) throws Exception {
        String mac = String.format("52:54:19:%02x:%02x:%02x", pair >> 8, pair & 0xFF, side);
        String ip = "10.19." + pair + "." + side;
        RestClient api = nodes.api(0);
        String port = api.expectOk(api.post("/v1/switches/" + sw + "/ports", Map.of("mac", mac)), "port " + mac)
                .path("id")
                .asText();
        JsonNode b = api.expectOk(
                api.put("/v1/ports/" + port + "/binding?wait=realized", Map.of("host", hosts.get(host))),
                "bind " + port);
        int vlan = b.path("vlan").asInt();
        DatapathAgent agent = agentOf.get(hosts.get(host));
        PseudoWire wire =
                PseudoWire.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), trunksOf(hosts.get(host)));
        wires.add(wire);
        SimulatedVm vm = new SimulatedVm(Mac.parse(mac), Ipv4.parse(ip), vlan, wire);
        if (agent != null) {
            // the inventory configures the VM's port group with its VLAN on the host (as LiveMoveIntegrationTest does)
            ((TrunkPort) agent.ports().get(DatapathPorts.TRUNK)).bindVlan(vlan, wire.localAddress());
        } else {
            // an agent in another JVM learns the VM's endpoint from the frames it sends (TrunkPort's learning)
            vm.sendGratuitousArp();
        }
        vms.add(vm);
        vmPorts.add(port);
        vmHosts.add(host);
        return vm;
    }

    /** Starts the VM pairs' numbered frames, both ways, for at most {@code max}. */
    public void startTraffic(Duration max) {
        for (int i = 0; i + 1 < vms.size(); i += 2) {
            streams.add(stream(vms.get(i), vms.get(i + 1), max));
            streams.add(stream(vms.get(i + 1), vms.get(i), max));
        }
    }

    private FrameStream stream(SimulatedVm from, SimulatedVm to, Duration max) {
        return FrameStream.from(from)
                .to(to)
                .rate(settings.frameRate())
                .count(max.toSeconds() * settings.frameRate())
                .maxDuration(max)
                .start();
    }

    /** Stops the traffic and counts it once drained (up to 3 s): frames lost is exact then. */
    public StreamStats stopTraffic() throws InterruptedException {
        streams.forEach(FrameStream::stop);
        return FrameCounts.sum(streams, true);
    }

    public List<FrameStream> streams() {
        return List.copyOf(streams);
    }

    /** Port k of a load goes to switch k mod S, on the first or the second host of that switch. */
    public PortLoad.Target target(int k) {
        int s = k % switches.size();
        return new PortLoad.Target(switches.get(s), hosts.get((s + (k / switches.size()) % 2) % hosts.size()));
    }

    /** A create+bind load on the load switches ({@link #target}); not started. */
    public PortLoad newLoad() {
        PortLoad l = new PortLoad(nodes.apis(), this::target, loads.size() + 1);
        loads.add(l);
        return l;
    }

    /** The hosts {@code sw} has ports on (its bindings fan out to them); empty for a switch not of this run. */
    public List<String> hostsOf(String sw) {
        return switchHosts.getOrDefault(sw, List.of());
    }

    /** Every switch of the run: the load's, the VM pairs' and the recovery probes'. */
    public List<String> switches() {
        return List.copyOf(switchHosts.keySet());
    }

    public ControllerNodes nodes() {
        return nodes;
    }

    /** The agents running in this JVM, in host order (the hosts of {@link #agentJvms()} left out). */
    public List<DatapathAgent> agents() {
        return List.copyOf(agents);
    }

    /** The agents running in this JVM by host. */
    public Map<String, DatapathAgent> agentsByHost() {
        return java.util.Collections.unmodifiableMap(agentOf);
    }

    /** The agents running in JVMs of their own (the first {@code agentProcesses} hosts). */
    public AgentJvms agentJvms() {
        return agentJvms;
    }

    /** The simulated VMs, in pair order (pair p: VMs 2p and 2p + 1). */
    public List<SimulatedVm> vms() {
        return List.copyOf(vms);
    }

    /** Each VM's port, in the VMs' order. */
    public List<String> vmPorts() {
        return List.copyOf(vmPorts);
    }

    /** The host (index) each VM was bound on at the set-up, in the VMs' order. */
    public List<Integer> vmHosts() {
        return List.copyOf(vmHosts);
    }

    /** The trunks of {@code host}'s agents, here or in JVMs of their own (its VMs' wires send to each: a pair's two). */
    public List<InetSocketAddress> trunksOf(String host) {
        DatapathAgent agent = agentOf.get(host);
        return agent == null ? List.copyOf(processTrunks.get(host)) : List.of(agent.trunkAddress());
    }

    public List<String> hosts() {
        return List.copyOf(hosts);
    }

    /** The node (index) each agent's MASTER connection goes to, -1 for none. */
    public List<Integer> masterNodes() {
        return AgentStates.read(agents).stream()
                .map(s -> s.master()
                        .map(MasterGrant::controller)
                        .map(nodes::byOpenflow)
                        .orElse(-1))
                .toList();
    }

    /** The hosts whose Host entity was created on {@code address} (registration), in host order. */
    public Map<String, String> hostEntityNodes() {
        return Map.copyOf(hostEntityNode);
    }

    /**
     * Whether every entity an op's bind touches ran elsewhere than on {@code node} when the load started: the port
     * (its shard), the switch, and both hosts of the switch (the binding fans out to them). Null when the
     * port was not created or its shard could not be placed.
     */
    public Boolean awayFrom(PortLoad.Op op, String node) {
        if (op.port == null) {
            return null;
        }
        String portNode = portShards.get(EntityPlacement.shardOf(op.port));
        if (portNode == null) {
            return null;
        }
        int s = switches.indexOf(op.target.sw());
        return !portNode.equals(node)
                && !node.equals(switchEntityNode.get(op.target.sw()))
                && !node.equals(hostEntityNode.get(hosts.get(s % hosts.size())))
                && !node.equals(hostEntityNode.get(hosts.get((s + 1) % hosts.size())));
    }

    /**
     * Where a port made to prove recovery goes, as things stand now (shards move when nodes leave and join): a host
     * whose agent's MASTER is {@code node}'s connection (a master on the Host entity's own node is preferred, so its
     * entity runs there), on a new switch whose entity started on {@code node} (switches are created until one does, at
     * most {@value #SWITCH_TRIES}). Its binding cannot be realized before both entities started elsewhere. Either may be
     * missing (no host mastered there, no switch landed there), which the target's {@code describe} says.
     */
    public RecoveryTarget recoveryTarget(int node) throws Exception {
        String addr = nodes.address(node);
        List<Integer> masters = masterNodes();
        int h = masters.indexOf(node);
        String host = hosts.get(Math.max(0, h));
        RestClient api = nodes.api((node + 1) % ControllerNodes.SIZE);
        for (int i = 0; i < SWITCH_TRIES; i++) {
            String sw = "nl-" + run + "-r" + recoverySwitches++;
            String where = EntityPlacement.whereStarted(
                    api, "LogicalSwitch", () -> api.expectOk(api.post("/v1/switches", Map.of("name", sw)), sw));
            switchHosts.put(sw, List.of(host));
            if (addr.equals(where)) {
                return new RecoveryTarget(new PortLoad.Target(sw, host), h >= 0, true);
            }
        }
        return new RecoveryTarget(new PortLoad.Target(switches.get(0), host), h >= 0, false);
    }

    /** A recovery port's target, and whether its host and its switch did run on the node lost. */
    public record RecoveryTarget(PortLoad.Target target, boolean hostThere, boolean switchThere) {
        public String describe() {
            return target.host() + (hostThere ? " (mastered there)" : " (no host was mastered there)") + ", "
                    + target.sw() + (switchThere ? " (created there)" : " (no new switch landed there)");
        }
    }

    /**
     * Every host realized with as many flows installed as desired, one MASTER and a connection to each running node
     * ({@code GET /v1/hosts/{id}} through any node); when that first held (nanoTime), -1 after {@code timeout}.
     */
    public long awaitSettled(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (unsettled().isEmpty()) {
                return System.nanoTime();
            }
            Sleep.millis(SETTLE_POLL.toMillis());
        }
        return -1;
    }

    /** The hosts not settled now, each with what is missing. */
    public List<String> unsettled() {
        return unsettled(hosts);
    }

    /** Those of {@code some} hosts not settled now (a connection to every running node too), with what is missing. */
    public List<String> unsettled(List<String> some) {
        return HostSettling.unsettled(nodes, some, pairHosts::has);
    }

    /**
     * Whether {@code host} forwards on its flows again: settled ({@link #unsettled(List)}) on however many connections.
     * The end of a killed agent's outage ({@link HostSettling#ANY_CONNECTIONS}).
     */
    public boolean forwardingAgain(String host) {
        return HostSettling.unsettled(nodes, List.of(host), pairHosts::has, HostSettling.ANY_CONNECTIONS)
                .isEmpty();
    }

    /**
     * Every acknowledged op's port read back through any node: the mismatches, each said in a line, in the ops' order
     * ({@link AckedReadBack}).
     */
    public List<String> readBack(List<PortLoad.Op> ops) throws InterruptedException {
        return AckedReadBack.mismatches(nodes, ops);
    }

    /** Loads, traffic, VMs, wires, agents, then the nodes (SIGTERM). */
    @Override
    public void close() {
        loads.forEach(PortLoad::close);
        streams.forEach(FrameStream::close);
        vms.forEach(SimulatedVm::close);
        wires.forEach(PseudoWire::close);
        agents.forEach(DatapathAgent::close);
        if (agentJvms != null) {
            agentJvms.close();
        }
        nodes.close();
    }
}
