package io.portmesh.loadtest.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.loadtest.demo.Nodes;
import io.portmesh.loadtest.demo.RestClient;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.Cookies;
import io.portmesh.model.flow.FlowCompiler;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.model.flow.HostView;
import io.portmesh.openflow.plan.OpenFlowToPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsEntry;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * What the invariants are checked against, read from the running system: the ports as their entities say
 * ({@code GET /v1/switches/{id}} and {@code /ports}, through any node), the plan each host should hold compiled from
 * them exactly as the controller compiles it ({@link FlowCompiler} over the host's {@link HostView}: the REST API
 * exposes the plan's size, not the plan), and what each agent has installed (its tables read back as the controller's
 * reconciliation reads them, {@link OpenFlowToPlan}).
 */
public final class LiveState {
    private static final Duration READ_WAIT = Duration.ofSeconds(15);
    static final OFFlowStatsRequest ALL_FLOWS = OFFactories.getFactory(OFVersion.OF_13)
            .buildFlowStatsRequest()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(U64.ZERO)
            .setCookieMask(U64.ZERO)
            .build();

    /**
     * A switch's VNI and its ports; {@code missing}: ports the switch lists that do not exist (their entity answers
     * 404: the switch persisted the member, the port lost or never persisted its creation).
     */
    public record SwitchPorts(String sw, int vni, List<Invariants.PortRow> ports, List<String> missing) {
        public SwitchPorts(String sw, int vni, List<Invariants.PortRow> ports) {
            this(sw, vni, ports, List.of());
        }
    }

    private LiveState() {}

    /**
     * Each switch's ports, one {@code GET /v1/ports/{id}} per member the switch lists (the list endpoint fails whole
     * when one member is missing, and a missing member is a finding, not a reason to stop).
     */
    public static List<SwitchPorts> ports(List<RestClient> apis, Collection<String> switches) throws Exception {
        List<SwitchPorts> out = new ArrayList<>();
        for (String sw : switches) {
            JsonNode info = Nodes.callAny(apis, n -> n.get("/v1/switches/" + sw), READ_WAIT);
            List<Invariants.PortRow> rows = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (JsonNode id : info.path("ports")) {
                Invariants.ReadBack r = port(apis, id.asText());
                if (r.error() != null) {
                    missing.add(id.asText() + " (" + r.error() + ")");
                } else {
                    rows.add(new Invariants.PortRow(id.asText(), sw, r.mac(), r.host(), r.vlan()));
                }
            }
            out.add(new SwitchPorts(sw, info.path("vni").asInt(), rows, missing));
        }
        return out;
    }

    /** One port through any node; a 404 from a node that answers is final, anything else is retried (15 s). */
    static Invariants.ReadBack port(List<RestClient> apis, String id) {
        long deadline = System.nanoTime() + READ_WAIT.toNanos();
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            for (RestClient api : apis) {
                try {
                    RestClient.Response r = api.get("/v1/ports/" + id);
                    if (r.ok()) {
                        JsonNode p = r.body();
                        return new Invariants.ReadBack(
                                id,
                                p.path("host").isTextual() ? p.path("host").asText() : null,
                                p.path("vlan").isInt() ? p.path("vlan").asInt() : null,
                                p.path("mac").asText(),
                                null);
                    }
                    last = r.status() + " " + r.body();
                    if (r.status() == 404) {
                        return new Invariants.ReadBack(id, null, null, null, Invariants.NOT_FOUND + last);
                    }
                } catch (java.io.IOException e) {
                    last = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new Invariants.ReadBack(id, null, null, null, "interrupted");
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Invariants.ReadBack(id, null, null, null, "interrupted");
            }
        }
        return new Invariants.ReadBack(id, null, null, null, "no node answered in 15 s; last: " + last);
    }

    /**
     * The VLAN check during a run on rows read one port at a time (tens of seconds through a loaded cluster): a port
     * that moved or was unbound away from a host while the others were read leaves a reading in which its VLAN there
     * and the VLAN the next port got on that host look booked twice. So each double booking found is read again, its
     * ports at once: it is a violation only if they still share the (host, VLAN) then, which a real double booking
     * (the host's allocator is rebuilt from its bindings) does.
     */
    public static List<Invariants.Violation> confirmedVlans(
            List<RestClient> apis, List<Invariants.PortRow> rows, long atMs) {
        List<Invariants.Violation> found = Invariants.vlans(rows, atMs);
        if (found.isEmpty()) {
            return found;
        }
        java.util.Set<String> suspects = new java.util.HashSet<>();
        Invariants.byHostVlan(rows).values().stream().filter(l -> l.size() > 1).forEach(suspects::addAll);
        List<Invariants.PortRow> again = new ArrayList<>();
        for (Invariants.PortRow p : rows) {
            if (suspects.contains(p.port())) {
                Invariants.ReadBack r = port(apis, p.port());
                again.add(new Invariants.PortRow(p.port(), p.sw(), p.mac(), r.host(), r.vlan()));
            }
        }
        return Invariants.vlans(again, atMs);
    }

    public static List<Invariants.PortRow> rows(List<SwitchPorts> switches) {
        return switches.stream().flatMap(s -> s.ports().stream()).toList();
    }

    /**
     * Each host's tunnel endpoints as {@code GET /v1/hosts/{id}} says: {@code active} (where peers tunnel to: the
     * active slot's) and {@code standby} (a pair host's other slot, once it announced its endpoint: peers send it a
     * copy of every frame, dual delivery, docs/architecture.md section 7.2; absent for a single agent).
     */
    public record Endpoints(Map<String, String> active, Map<String, String> standby) {}

    public static Endpoints endpoints(List<RestClient> apis, List<String> hosts) throws Exception {
        Map<String, String> active = new LinkedHashMap<>();
        Map<String, String> standby = new LinkedHashMap<>();
        for (String h : hosts) {
            JsonNode info = Nodes.callAny(apis, n -> n.get("/v1/hosts/" + h), READ_WAIT);
            active.put(h, info.path("tunnelIp").asText());
            for (JsonNode slot : info.path("slots")) {
                if (!slot.path("active").asBoolean() && slot.path("tunnelIp").isTextual()) {
                    standby.put(h, slot.path("tunnelIp").asText());
                }
            }
        }
        return new Endpoints(active, standby);
    }

    /**
     * The host's view: its bound ports are local, every port bound elsewhere is remote (at that host's tunnel
     * endpoint; remote members of switches it has no port in make nothing, as the compiler says).
     */
    public static HostView view(String host, List<SwitchPorts> switches, Map<String, String> tunnelIps) {
        return view(host, switches, new Endpoints(tunnelIps, Map.of()));
    }

    /** The same with the pair hosts' standby endpoints: a remote port there is sent to both. */
    public static HostView view(String host, List<SwitchPorts> switches, Endpoints endpoints) {
        Map<String, String> tunnelIps = endpoints.active();
        List<HostView.LocalPort> local = new ArrayList<>();
        List<HostView.RemotePort> remote = new ArrayList<>();
        for (SwitchPorts s : switches) {
            for (Invariants.PortRow p : s.ports()) {
                if (p.host() == null || p.vlan() == null) {
                    continue;
                }
                if (p.host().equals(host)) {
                    local.add(new HostView.LocalPort(
                            PortId.of(p.port()), Mac.parse(p.mac()), new Vni(s.vni()), new VlanId(p.vlan())));
                } else if (tunnelIps.containsKey(p.host())) {
                    remote.add(new HostView.RemotePort(
                            PortId.of(p.port()),
                            Mac.parse(p.mac()),
                            new Vni(s.vni()),
                            Ipv4.parse(tunnelIps.get(p.host())),
                            endpoints.standby().containsKey(p.host())
                                    ? Ipv4.parse(endpoints.standby().get(p.host()))
                                    : null));
                }
            }
        }
        return new HostView(HostId.of(host), local, remote);
    }

    public static FlowPlan desired(String host, List<SwitchPorts> switches, Map<String, String> tunnelIps) {
        return desired(host, switches, new Endpoints(tunnelIps, Map.of()));
    }

    public static FlowPlan desired(String host, List<SwitchPorts> switches, Endpoints endpoints) {
        return FlowCompiler.compile(view(host, switches, endpoints));
    }

    /**
     * The agent's Portmesh flows and groups, read as the controller reads them back, but a live move's straggler flows
     * (cookie rule {@link Cookies#STRAGGLER}): the port's source keeps one for a grace after it let the port go (docs/
     * architecture.md 7.1, gap 4), which the API's view of the ports (what {@link #desired} compiles) does not show,
     * and the agent drops it by its hard timeout at the latest.
     */
    public static FlowPlan installed(DatapathAgent agent) {
        return installed(agent.tables().flowStats(ALL_FLOWS), agent.tables().groupDesc());
    }

    /** The same from a flow-stats and a group-desc reply's entries (an agent read over OpenFlow). */
    static FlowPlan installed(List<OFFlowStatsEntry> flows, List<OFGroupDescStatsEntry> groups) {
        FlowPlan read = OpenFlowToPlan.installed(flows, groups);
        return FlowPlan.of(
                read.flows().values().stream()
                        .filter(f -> Cookies.rule(f.cookie()) != Cookies.STRAGGLER)
                        .toList(),
                read.groups().values());
    }

    /** Each acknowledged port read back ({@code GET /v1/ports/{id}} through any node). */
    public static Map<String, Invariants.ReadBack> readBack(List<RestClient> apis, List<Invariants.Ack> acks) {
        Map<String, Invariants.ReadBack> out = new LinkedHashMap<>();
        for (Invariants.Ack a : acks) {
            out.put(a.port(), port(apis, a.port()));
        }
        return out;
    }
}
