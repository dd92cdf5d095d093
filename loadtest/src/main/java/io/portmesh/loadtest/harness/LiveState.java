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
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
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
    private static final OFFlowStatsRequest ALL_FLOWS = OFFactories.getFactory(OFVersion.OF_13)
            .buildFlowStatsRequest()
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(OFGroup.ANY)
            .setCookie(U64.ZERO)
            .setCookieMask(U64.ZERO)
            .build();

    /** A switch's VNI and its ports. */
    public record SwitchPorts(String sw, int vni, List<Invariants.PortRow> ports) {}

    private LiveState() {}

    public static List<SwitchPorts> ports(List<RestClient> apis, Collection<String> switches) throws Exception {
        List<SwitchPorts> out = new ArrayList<>();
        for (String sw : switches) {
            int vni = Nodes.callAny(apis, n -> n.get("/v1/switches/" + sw), READ_WAIT)
                    .path("vni")
                    .asInt();
            List<Invariants.PortRow> rows = new ArrayList<>();
            for (JsonNode p : Nodes.callAny(apis, n -> n.get("/v1/switches/" + sw + "/ports"), READ_WAIT)) {
                rows.add(new Invariants.PortRow(
                        p.path("id").asText(),
                        sw,
                        p.path("mac").asText(),
                        p.path("host").isTextual() ? p.path("host").asText() : null,
                        p.path("vlan").isInt() ? p.path("vlan").asInt() : null));
            }
            out.add(new SwitchPorts(sw, vni, rows));
        }
        return out;
    }

    public static List<Invariants.PortRow> rows(List<SwitchPorts> switches) {
        return switches.stream().flatMap(s -> s.ports().stream()).toList();
    }

    /** Each host's tunnel endpoint, as registered. */
    public static Map<String, String> tunnelIps(List<RestClient> apis, List<String> hosts) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String h : hosts) {
            out.put(
                    h,
                    Nodes.callAny(apis, n -> n.get("/v1/hosts/" + h), READ_WAIT)
                            .path("tunnelIp")
                            .asText());
        }
        return out;
    }

    /**
     * The host's view: its bound ports are local, every port bound elsewhere is remote (at that host's tunnel
     * endpoint; remote members of switches it has no port in make nothing, as the compiler says).
     */
    public static HostView view(String host, List<SwitchPorts> switches, Map<String, String> tunnelIps) {
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
                            Ipv4.parse(tunnelIps.get(p.host()))));
                }
            }
        }
        return new HostView(HostId.of(host), local, remote);
    }

    public static FlowPlan desired(String host, List<SwitchPorts> switches, Map<String, String> tunnelIps) {
        return FlowCompiler.compile(view(host, switches, tunnelIps));
    }

    /** The agent's Portmesh flows and groups, read as the controller reads them back. */
    public static FlowPlan installed(DatapathAgent agent) {
        return OpenFlowToPlan.installed(
                agent.tables().flowStats(ALL_FLOWS), agent.tables().groupDesc());
    }

    /** Each acknowledged port read back ({@code GET /v1/ports/{id}} through any node). */
    public static Map<String, Invariants.ReadBack> readBack(List<RestClient> apis, List<Invariants.Ack> acks) {
        Map<String, Invariants.ReadBack> out = new LinkedHashMap<>();
        for (Invariants.Ack a : acks) {
            try {
                JsonNode p = Nodes.callAny(apis, n -> n.get("/v1/ports/" + a.port()), READ_WAIT);
                out.put(
                        a.port(),
                        new Invariants.ReadBack(
                                a.port(),
                                p.path("host").isTextual() ? p.path("host").asText() : null,
                                p.path("vlan").isInt() ? p.path("vlan").asInt() : null,
                                null));
            } catch (Exception | AssertionError e) {
                out.put(a.port(), new Invariants.ReadBack(a.port(), null, null, String.valueOf(e.getMessage())));
            }
        }
        return out;
    }
}
