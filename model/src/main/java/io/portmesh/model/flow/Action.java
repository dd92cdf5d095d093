package io.portmesh.model.flow;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;

/** The OpenFlow 1.3 actions the Portmesh pipeline uses. */
public sealed interface Action {
    /** Physical port, or one of the reserved numbers in {@link DatapathPorts}. */
    record Output(int port) implements Action {}

    record PushVlan() implements Action {}

    record PopVlan() implements Action {}

    record SetVlanVid(int vlan) implements Action {}

    record SetEthDst(Mac mac) implements Action {}

    record SetTunnelId(long tunnelId) implements Action {}

    /** Nicira extension NXM_NX_TUN_IPV4_DST: the remote VXLAN endpoint chosen per flow. */
    record SetTunnelDst(Ipv4 ip) implements Action {}

    record Group(int groupId) implements Action {}

    /**
     * An action read back from a switch that the plan never uses: it makes the flow differ from the plan, so that
     * reconciliation replaces it.
     */
    record Unrecognized(String description) implements Action {}

    static Output output(int port) {
        return new Output(port);
    }
}
