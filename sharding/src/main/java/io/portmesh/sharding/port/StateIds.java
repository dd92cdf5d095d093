package io.portmesh.sharding.port;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.host.HostProtocol;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The port's state holds its host, endpoints and id as text, because its events do (their JSON must not change);
 * the messages it sends carry the model's types. These read the text back, null staying null (an unbound port has
 * no host).
 */
final class StateIds {
    private StateIds() {}

    static HostId host(String text) {
        return text == null ? null : HostId.of(text);
    }

    static Ipv4 ip(String text) {
        return text == null ? null : Ipv4.parse(text);
    }

    static PortId port(String text) {
        return PortId.of(text);
    }

    /** What a host is asked to bind: the port as its state holds it ({@code arriving}: a live move's destination). */
    static HostProtocol.BindPort bindPort(
            String portId, PortState s, boolean arriving, ActorRef<StatusReply<HostProtocol.Bound>> replyTo) {
        return new HostProtocol.BindPort(
                PortId.of(portId), Mac.parse(s.mac()), SwitchId.of(s.switchId()), new Vni(s.vni()), arriving, replyTo);
    }
}
