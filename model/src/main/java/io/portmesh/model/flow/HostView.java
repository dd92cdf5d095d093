package io.portmesh.model.flow;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import java.util.List;

/**
 * Everything one host's switch must know: its own bound ports, and the ports of the same logical switches that are
 * bound elsewhere, and the ports it let go of after they moved away, for their grace time. The flow compiler turns
 * exactly this, and nothing else, into the host's plan.
 */
public record HostView(
        HostId host, List<LocalPort> localPorts, List<RemotePort> remotePorts, List<DepartedPort> departedPorts) {
    public HostView {
        localPorts = List.copyOf(localPorts);
        remotePorts = List.copyOf(remotePorts);
        departedPorts = List.copyOf(departedPorts);
    }

    /** A view with no departed port. */
    public HostView(HostId host, List<LocalPort> localPorts, List<RemotePort> remotePorts) {
        this(host, localPorts, remotePorts, List.of());
    }

    /**
     * The part of this view that concerns one VNI. The flow compiler treats VNIs independently, so the plan of a view
     * is the union of the plans of its slices: a change in one logical switch recompiles only that switch's slice.
     * (Except when local ports of two VNIs share a VLAN, which the host's VLAN allocator never does: only the whole
     * view sees that conflict, see {@link FlowCompiler}'s rule 2.)
     */
    public HostView slice(Vni vni) {
        return new HostView(
                host,
                localPorts.stream().filter(p -> p.vni().equals(vni)).toList(),
                remotePorts.stream().filter(p -> p.vni().equals(vni)).toList(),
                departedPorts.stream().filter(p -> p.vni().equals(vni)).toList());
    }

    /**
     * A VM NIC bound on this host: it reaches the switch VM on the trunk with access VLAN {@code vlan}.
     *
     * <p>During a live move (docs/architecture.md section 7.1) the port is bound on two hosts at once: {@code twin} is
     * the tunnel endpoint of the other one (null when the port is not moving), and {@code arriving} is true on the
     * host the port moves to until the move is activated. Frames for the port from this host's own trunk are then
     * delivered locally and copied to the twin (the VM is on one of the two), the twin joins the VNI's flood set, and
     * an arriving port's RARP or ARP from its own MAC on its VLAN is also sent to the controller: that is the VM
     * announcing that it runs here now.
     */
    public record LocalPort(PortId port, Mac mac, Vni vni, VlanId vlan, Ipv4 twin, boolean arriving) {
        /** A port that is not moving. */
        public LocalPort(PortId port, Mac mac, Vni vni, VlanId vlan) {
            this(port, mac, vni, vlan, null, false);
        }

        public boolean moving() {
            return twin != null;
        }
    }

    /**
     * A member of one of this host's logical switches, bound on the host whose tunnel endpoint is {@code tunnelIp}.
     * While it moves live, {@code alsoTunnelIp} is the endpoint of the host it moves to (docs/architecture.md section
     * 7.1); otherwise, when its host has a standby switch VM, the standby's endpoint (section 7.2); null when neither:
     * frames to it go to both endpoints, and both are flooded to. An {@code alsoTunnelIp} equal
     * to {@code tunnelIp} is no move: it is made null here, so that both spellings are one equal entry.
     */
    public record RemotePort(PortId port, Mac mac, Vni vni, Ipv4 tunnelIp, Ipv4 alsoTunnelIp) {
        public RemotePort {
            if (alsoTunnelIp != null && alsoTunnelIp.equals(tunnelIp)) {
                alsoTunnelIp = null;
            }
        }

        /** A member that is not moving. */
        public RemotePort(PortId port, Mac mac, Vni vni, Ipv4 tunnelIp) {
            this(port, mac, vni, tunnelIp, null);
        }

        public boolean moving() {
            return alsoTunnelIp != null;
        }
    }

    /**
     * A port that moved live from this host to the host whose tunnel endpoint is {@code to}, and that this host let go
     * of less than its grace time ago (docs/architecture.md section 7.1, the straggler flow): a frame for its MAC that
     * a peer sent here before it was re-pointed, and that reaches this host from the tunnel only now, is sent on to
     * {@code to} ({@link MoveFlows#straggler}) instead of being dropped. {@code lifetime}: the seconds after which the
     * switch removes that flow by itself (its hard timeout), whether or not a controller still reaches it; 0 for none.
     */
    public record DepartedPort(PortId port, Mac mac, Vni vni, Ipv4 to, int lifetime) {}
}
