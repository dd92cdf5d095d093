package io.portmesh.sharding.host;

import io.portmesh.model.AgentPin;
import io.portmesh.model.CborSerializable;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.VlanId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a {@link HostEntity} is sent and what it answers: the commands other entities, the REST layer and the agents'
 * OpenFlow sessions send it, and its replies. They are not persisted (the host's events are, and stay in
 * {@link HostEntity}); those that cross nodes are {@link CborSerializable} (Jackson CBOR, the class name as manifest).
 * What the host sends itself is {@link HostSelfMessage}. Callers name the types {@code HostProtocol.BindPort} and the
 * like: this interface is only their namespace.
 */
public interface HostProtocol {
    /** Commands; those other nodes send are {@link CborSerializable}, what the host sends itself is not. */
    sealed interface Command
            permits Register,
                    PinAgents,
                    Get,
                    BindPort,
                    ConfirmArrival,
                    ActivationSeen,
                    CountActivation,
                    AwaitRealized,
                    UnbindPort,
                    ApplySwitchMembers,
                    ApplyMemberChange,
                    AgentConnected,
                    Failover,
                    AgentDisconnected,
                    Installed,
                    Acked,
                    PushFailed,
                    RoleStale,
                    TrunkReported,
                    HostSelfMessage {}

    /**
     * Registers the host with its tunnel endpoint and, optionally, the agents it pins (slot -> pin; empty: none). The
     * same registration again answers the host as it is; pins given on an existing host must be the ones it has.
     */
    record Register(Ipv4 tunnelIp, Map<String, AgentPin> pins, ActorRef<StatusReply<HostInfo>> replyTo)
            implements Command, CborSerializable {
        public Register {
            pins = pins == null ? Map.of() : Map.copyOf(pins);
        }

        public Register(Ipv4 tunnelIp, ActorRef<StatusReply<HostInfo>> replyTo) {
            this(tunnelIp, Map.of(), replyTo);
        }
    }

    /**
     * Replaces the host's pins (slot -> pin; empty: none, admission as without pins). Connections of this host that
     * do not fit the new pins are refused and closed at once.
     */
    record PinAgents(Map<String, AgentPin> pins, ActorRef<StatusReply<HostInfo>> replyTo)
            implements Command, CborSerializable {
        public PinAgents {
            pins = Map.copyOf(pins);
        }
    }

    record Get(ActorRef<StatusReply<HostInfo>> replyTo) implements Command, CborSerializable {}

    /**
     * Binds a port here; the reply carries the access VLAN, this host's tunnel endpoint and the plan version.
     * {@code arriving}: the port moves here live (docs/architecture.md section 7.1): it gets its VLAN and flows now,
     * and its VM's RARP or ARP on that VLAN is reported to the port ({@link HostArrivals}) until
     * {@link ConfirmArrival}. A host with no free VLAN refuses it with a conflict (the port stays where it is).
     */
    record BindPort(
            PortId port, Mac mac, SwitchId switchId, Vni vni, boolean arriving, ActorRef<StatusReply<Bound>> replyTo)
            implements Command, CborSerializable {
        public BindPort(PortId port, Mac mac, SwitchId switchId, Vni vni, ActorRef<StatusReply<Bound>> replyTo) {
            this(port, mac, switchId, vni, false, replyTo);
        }
    }

    /** The port that arrived here is bound here for good: its activation flows go. Idempotent; replies the version. */
    record ConfirmArrival(PortId port, ActorRef<StatusReply<Long>> replyTo) implements Command, CborSerializable {}

    /**
     * A frame the agent sent to the controller by an activation flow: a RARP or ARP from {@code mac} on the trunk's
     * VLAN {@code vlan}. If a port arriving here has them, its VM runs here now: the port is told. Taken only from a
     * {@code session} that is the master of one of this host's slots: the frame's cookie is written by whoever sends
     * it, so a connection the host refused or does not know must not activate a move.
     */
    record ActivationSeen(ActorRef<SessionCommand> session, VlanId vlan, Mac mac)
            implements Command, CborSerializable {}

    /**
     * How many packets the activation flows of {@code port}, arriving here, matched on the active slot's agent (read
     * from its master connection by a flow-stats request, {@link ActivationCounts}): a move's deadline asks it before
     * it rolls back (docs/architecture.md section 7.1). A conflict when the port does not arrive here; unavailable
     * when the slot has no master.
     */
    record CountActivation(PortId port, ActorRef<StatusReply<ActivationCount>> replyTo)
            implements Command, CborSerializable {}

    /** {@code flows}: the activation flows found on the agent (0: it does not hold them); their packets. */
    record ActivationCount(int flows, long packets) implements CborSerializable {}

    /**
     * Answers once the agents acknowledged plan {@code version} (or the realization timeout): for a change whose
     * version was answered without waiting (a move's last steps, when its client waits for realization).
     */
    record AwaitRealized(long version, ActorRef<StatusReply<Applied>> replyTo) implements Command, CborSerializable {}

    record Bound(VlanId vlan, Ipv4 tunnelIp, long planVersion) implements CborSerializable {}

    /**
     * Lets the port go. {@code peersBehind}: the source of an activated move lets it go although some peers' agents
     * had not acknowledged the re-point in time (the switch step's {@code behind}): they may still send it frames, so
     * its straggler flow stays for the longer grace ({@link HostDepartures}).
     */
    record UnbindPort(PortId port, boolean peersBehind, ActorRef<StatusReply<Long>> replyTo)
            implements Command, CborSerializable {}

    /**
     * The members of a switch changed (or a host asked for them). Kept in memory only: see {@link HostPlan}. With
     * {@code awaitRealized} the reply waits until the agents acknowledged the change, or the realization timeout.
     */
    record ApplySwitchMembers(
            SwitchId switchId, SwitchMembers members, boolean awaitRealized, ActorRef<StatusReply<Applied>> replyTo)
            implements Command, CborSerializable {}

    /**
     * One member of a switch changed; a host that does not hold the list just before the change asks the switch for
     * the whole list first ({@link MemberFetches}). {@code awaitRealized} as for {@link ApplySwitchMembers}.
     */
    record ApplyMemberChange(
            SwitchId switchId,
            SwitchMembers.Change change,
            boolean awaitRealized,
            ActorRef<StatusReply<Applied>> replyTo)
            implements Command, CborSerializable {}

    /**
     * The plan version that includes a change, and whether the agents acknowledged it (only waited for on request:
     * folding the wait into the change's own reply saves a second round of asks to every host of the switch).
     */
    record Applied(long version, boolean realized) implements CborSerializable {}

    /**
     * Where a host gets a switch's member list after a restart, and tells a switch its new tunnel endpoint after a
     * failover: the switch entity (a stub in unit tests).
     */
    @FunctionalInterface
    interface SwitchDirectory {
        CompletionStage<SwitchMembers> members(String switchId);

        /** Completes once the switch persisted the endpoint and its hosts' agents acknowledged it. */
        default CompletionStage<?> setEndpoint(
                String switchId, String host, String tunnelIp, String standbyTunnelIp, long epoch) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /**
     * A session of an agent. {@code tep}: the tunnel endpoint the agent announced (its VXLAN address), null when it
     * did not say. {@code keySha256}: the SHA-256 of its certificate's public key, null over plain TCP; with the
     * {@code dpid} it is what the host's pins are checked against.
     */
    record AgentConnected(
            ActorRef<SessionCommand> session,
            String slot,
            String dpid,
            String node,
            String remote,
            String tep,
            String keySha256)
            implements Command, CborSerializable {
        public AgentConnected(ActorRef<SessionCommand> session, String slot, String dpid, String node, String remote) {
            this(session, slot, dpid, node, remote, null);
        }

        public AgentConnected(
                ActorRef<SessionCommand> session, String slot, String dpid, String node, String remote, String tep) {
            this(session, slot, dpid, node, remote, tep, null);
        }
    }

    /**
     * A planned switch-over to the standby agent (docs/architecture.md section 7.2), make-before-break: the peers are
     * re-pointed to the standby's endpoint first, then the active's trunk goes down, then the standby's up. The reply
     * is the host once done (or at the realization timeout); a conflict when the standby is not ready.
     */
    record Failover(ActorRef<StatusReply<HostInfo>> replyTo) implements Command, CborSerializable {}

    record AgentDisconnected(ActorRef<SessionCommand> session) implements Command, CborSerializable {}

    /**
     * The installed flows, groups and ports read from a master connection, as OpenFlow multipart reply bytes
     * ({@code portDesc} null: not read). A read longer than {@link SessionCommand#PART_BYTES} comes in parts of the
     * same {@code seq}, each but the last with {@code more}; the flows and groups are the parts' concatenation, the
     * ports are the last part's ({@link InstalledParts}).
     */
    record Installed(
            ActorRef<SessionCommand> session,
            long seq,
            byte[] flowStats,
            byte[] groupDesc,
            byte[] portDesc,
            boolean more)
            implements Command, CborSerializable {
        public Installed(ActorRef<SessionCommand> session, long seq, byte[] flowStats, byte[] groupDesc) {
            this(session, seq, flowStats, groupDesc, null, false);
        }

        public Installed(
                ActorRef<SessionCommand> session, long seq, byte[] flowStats, byte[] groupDesc, byte[] portDesc) {
            this(session, seq, flowStats, groupDesc, portDesc, false);
        }
    }

    /** The barrier after push {@code seq} came back with no message of the push refused. */
    record Acked(ActorRef<SessionCommand> session, long seq) implements Command, CborSerializable {}

    /** Push (or read) {@code seq} failed: refused by the agent, or the barrier did not come back. */
    record PushFailed(ActorRef<SessionCommand> session, long seq, String reason) implements Command, CborSerializable {}

    /**
     * The agent refused a role request as stale, or (Open vSwitch's role status) demoted the connection;
     * {@code agentGeneration} is the newest generation it has seen (read back with a ROLE_REQUEST of role NOCHANGE,
     * or carried by the role status), or -1 when it could not be read.
     */
    record RoleStale(ActorRef<SessionCommand> session, long agentGeneration) implements Command, CborSerializable {}

    /**
     * The agent reported its VM trunk's admin state (OFPT_PORT_STATUS: it sends one on every change, a controller's
     * PORT_MOD or its pair fence's, docs/architecture.md section 7.2).
     */
    record TrunkReported(ActorRef<SessionCommand> session, boolean up) implements Command, CborSerializable {}
}
