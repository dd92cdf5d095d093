package io.portmesh.openflow.session;

import io.portmesh.model.Mac;
import io.portmesh.model.VlanId;
import io.portmesh.model.flow.Cookies;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfRoleStatus;
import io.portmesh.openflow.plan.TrunkWire;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFPortStatus;

/** Reads what an agent sends into {@link AgentMessage}s, and what its handshake said about it. */
public final class AgentMessages {
    private AgentMessages() {}

    public static AgentMessage read(OFMessage message) {
        if (message instanceof OFErrorMsg err) {
            return new AgentMessage.Refused(err.getXid(), message.toString());
        }
        if (message instanceof OFPacketIn in) {
            return packetIn(in);
        }
        if (message instanceof OFPortStatus status
                && status.getReason() != OFPortReason.DELETE
                && TrunkWire.isTrunk(status.getDesc())) {
            return new AgentMessage.TrunkStatus(
                    TrunkWire.trunkOf(status.getDesc()).adminUp());
        }
        return new AgentMessage.Other(message.getType().toString());
    }

    public static AgentMessage.RoleStatus read(OfRoleStatus status) {
        AgentMessage.Role role = switch (status.role()) {
            case ROLE_MASTER -> AgentMessage.Role.MASTER;
            case ROLE_SLAVE -> AgentMessage.Role.SLAVE;
            // NOCHANGE is never a role a switch reports (OfExperimenters reads EQUAL, MASTER or SLAVE)
            default -> AgentMessage.Role.EQUAL;
        };
        return new AgentMessage.RoleStatus(role, status.generationId());
    }

    /** The switch's datapath description (OFPMP_DESC dp_desc) from the handshake, or null. */
    public static String dpDesc(OfConnection conn) {
        return conn.description() == null ? null : conn.description().getDpDesc();
    }

    /** The switch's datapath id from the handshake, as text ({@code 00:00:...}). */
    public static String datapathId(OfConnection conn) {
        return conn.datapathId().toString();
    }

    /**
     * Only activation flows send frames to the controller (docs/architecture.md section 7.1): a VM's RARP or ARP on
     * the trunk, still tagged with its access VLAN.
     */
    private static AgentMessage packetIn(OFPacketIn in) {
        long cookie = in.getCookie().getValue();
        if (!Cookies.isPortmesh(cookie) || Cookies.rule(cookie) != Cookies.ACTIVATE) {
            return new AgentMessage.IgnoredPacketIn(
                    "packet-in from no activation flow ignored (cookie " + cookie + ")");
        }
        byte[] f = in.getData();
        int tpid = f.length >= 18 ? ((f[12] & 0xFF) << 8) | (f[13] & 0xFF) : 0;
        int ethType = f.length >= 18 ? ((f[16] & 0xFF) << 8) | (f[17] & 0xFF) : 0;
        if (tpid != 0x8100 || (ethType != 0x8035 && ethType != 0x0806)) {
            return new AgentMessage.IgnoredPacketIn("packet-in of no activation ignored (" + f.length + " bytes)");
        }
        int vlan = (((f[14] & 0xFF) << 8) | (f[15] & 0xFF)) & 0x0FFF;
        if (vlan < VlanId.MIN || vlan > VlanId.MAX) {
            return new AgentMessage.IgnoredPacketIn("packet-in on VLAN " + vlan + " (no access VLAN) ignored");
        }
        return new AgentMessage.ActivationFrame(new VlanId(vlan), Mac.of(f, 6));
    }
}
