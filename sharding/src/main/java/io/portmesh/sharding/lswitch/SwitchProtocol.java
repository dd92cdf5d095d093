package io.portmesh.sharding.lswitch;

import io.portmesh.model.CborSerializable;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.service.SwitchInfo;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a {@link LogicalSwitchEntity} is sent and what it answers: the commands ports, hosts and the REST layer send
 * it, and its replies. Not persisted (the switch's events are, and stay in {@link LogicalSwitchEntity}); those that
 * cross nodes are {@link CborSerializable} (Jackson CBOR, the class name as manifest). What the switch sends itself
 * is {@link SwitchSelfMessage}. Callers name the types {@code SwitchProtocol.SetBinding} and the like: this interface
 * is only their namespace.
 */
public interface SwitchProtocol {
    /** Commands; those other nodes send are {@link CborSerializable}, what the entity sends itself is not. */
    sealed interface Command
            permits Create,
                    Get,
                    GetMembers,
                    AddPort,
                    RemovePort,
                    SetBinding,
                    SetMoving,
                    KeepBinding,
                    SetHostEndpoint,
                    Delete,
                    SwitchSelfMessage {}

    record Create(Vni vni, ActorRef<StatusReply<SwitchInfo>> replyTo) implements Command, CborSerializable {}

    record Get(ActorRef<StatusReply<SwitchInfo>> replyTo) implements Command, CborSerializable {}

    /** The bound members, for a host that restarted and lost the lists it keeps in memory. */
    record GetMembers(ActorRef<StatusReply<SwitchMembers>> replyTo) implements Command, CborSerializable {}

    record AddPort(PortId port, Mac mac, ActorRef<StatusReply<Integer>> replyTo) implements Command, CborSerializable {}

    record RemovePort(PortId port, ActorRef<StatusReply<Done>> replyTo) implements Command, CborSerializable {}

    /**
     * host == null unbinds. The reply maps each affected host to the plan version that includes the change; with
     * {@code awaitRealized} it comes once every affected host's agents acknowledged it (or the realization timeout).
     * {@code leftHost}: the host an unbound port was last bound to (null: none), which is among the affected hosts
     * also when the switch already holds the unbinding (a repeated one), so that a wait for realization waits for
     * its agents too (they remove the port's local flows).
     */
    record SetBinding(
            PortId port,
            HostId host,
            Ipv4 tunnelIp,
            HostId leftHost,
            boolean awaitRealized,
            ActorRef<StatusReply<HostVersions>> replyTo)
            implements Command, CborSerializable {}

    /**
     * A port moves live from {@code host} to {@code moveTo} (docs/architecture.md section 7.1): the member is bound
     * on both, and every host of the switch, the destination included, is told, as for {@link SetBinding}. A
     * {@link SetBinding} ends the move either way (to the destination once activated, back to {@code host} when rolled
     * back). Idempotent as SetBinding is.
     */
    record SetMoving(
            PortId port,
            HostId host,
            Ipv4 tunnelIp,
            HostId moveTo,
            Ipv4 moveToTunnelIp,
            boolean awaitRealized,
            ActorRef<StatusReply<HostVersions>> replyTo)
            implements Command, CborSerializable {}

    /**
     * A port that started again (passivation, rebalance, its node lost) keeps its binding in step: as
     * {@link SetBinding} when the switch holds another binding of the port; when it holds this one, its hosts are told
     * the last change again only if the switch does not know that every one of them holds its current version (a
     * fan-out of it that every host answered, in this incarnation of the switch), and ports that start meanwhile wait
     * for that one fan-out. So a port's start costs one message, not one per host of the switch. Not awaited.
     */
    record KeepBinding(
            PortId port, HostId host, Ipv4 tunnelIp, HostId leftHost, ActorRef<StatusReply<HostVersions>> replyTo)
            implements Command, CborSerializable {}

    /**
     * A host failed over to another switch VM, or learned its standby's endpoint (docs/architecture.md section 7.2):
     * its members of this switch are reached at {@code tunnelIp} from now on, with a copy of every frame to
     * {@code standbyTunnelIp} (null: no standby), and bindings that name an older endpoint are corrected. Ignored (but
     * told to the hosts again) when it brings nothing new ({@link SwitchState#endpointChanges}). The reply comes once
     * every host of the switch answered, and with {@code awaitRealized} once their agents acknowledged.
     */
    record SetHostEndpoint(
            HostId host,
            Ipv4 tunnelIp,
            Ipv4 standbyTunnelIp,
            long epoch,
            boolean awaitRealized,
            ActorRef<StatusReply<HostVersions>> replyTo)
            implements Command, CborSerializable {}

    /** @param behind the hosts whose agents did not acknowledge in time (only when realization was awaited) */
    record HostVersions(Map<String, Long> versions, List<String> behind) implements CborSerializable {}

    record Delete(ActorRef<StatusReply<Integer>> replyTo) implements Command, CborSerializable {}
}
