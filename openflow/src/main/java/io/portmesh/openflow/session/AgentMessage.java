package io.portmesh.openflow.session;

import io.portmesh.model.Mac;
import io.portmesh.model.VlanId;

/**
 * What an agent sends a controller's session on its own (replies to requests complete {@link AgentRequests}' futures
 * instead), read by {@link AgentMessages} into Portmesh terms: the session never sees a Loxi type.
 */
public sealed interface AgentMessage {
    /** The OpenFlow message type it was read from, for logs. */
    String type();

    /**
     * An OFPT_ERROR not tied to a pending request: the agent refused the message with {@code xid} (a pushed
     * flow-mod or group-mod).
     *
     * @param text the whole error message as text, for logs and failure reasons
     */
    record Refused(long xid, String text) implements AgentMessage {
        @Override
        public String type() {
            return "ERROR";
        }
    }

    /**
     * A packet-in of an activation flow (cookie rule {@code ACTIVATE}): a VM's RARP or ARP on the trunk, still tagged
     * with its access VLAN (docs/architecture.md section 7.1).
     */
    record ActivationFrame(VlanId vlan, Mac mac) implements AgentMessage {
        @Override
        public String type() {
            return "PACKET_IN";
        }
    }

    /** A packet-in that is no activation (another flow's, another frame, no access VLAN): {@code why}, for logs. */
    record IgnoredPacketIn(String why) implements AgentMessage {
        @Override
        public String type() {
            return "PACKET_IN";
        }
    }

    /** The role of a connection as a switch reports it. */
    enum Role {
        EQUAL,
        MASTER,
        SLAVE
    }

    /**
     * The switch says this connection's role changed (ONF ROLE_STATUS experimenter: Open vSwitch sends it, the
     * agent does not).
     *
     * @param generationId the generation id of the request that caused it (the switch's largest seen so far)
     */
    record RoleStatus(Role role, long generationId) implements AgentMessage {
        @Override
        public String type() {
            return "EXPERIMENTER";
        }
    }

    /**
     * An OFPT_PORT_STATUS of the VM trunk (added or modified): its administrative state as the agent has it now. An
     * agent sends one on every change of it, whoever made it: a controller's PORT_MOD, or an HA pair's fence taking the
     * trunk down (docs/architecture.md section 7.2).
     */
    record TrunkStatus(boolean adminUp) implements AgentMessage {
        @Override
        public String type() {
            return "PORT_STATUS";
        }
    }

    /** Anything else: nothing for the session to do. */
    record Other(String type) implements AgentMessage {}
}
