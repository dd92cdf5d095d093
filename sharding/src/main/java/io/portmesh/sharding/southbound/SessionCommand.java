package io.portmesh.sharding.southbound;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.host.HostProtocol;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a Host entity tells the session actor of one OpenFlow connection. The entity may live on another node than
 * the connection, so flow-mods travel as OpenFlow wire bytes: the protocol's own encoding is the most compact and
 * least ambiguous serialization of them. The commands below cross nodes ({@link CborSerializable}); what a session
 * sends itself (SouthboundSession's records) does not.
 */
public interface SessionCommand {
    /**
     * The most OpenFlow bytes one message between an entity and a session carries: half of Artery's default
     * {@code maximum-frame-size} (256 KiB), which leaves room for the envelope and the other fields. Artery drops a
     * larger message with no more than an error in its log, so a host whose flows outgrew one frame (about 2,000
     * flows) would never be read or pushed again; longer byte runs travel as several parts ({@code more}), cut at
     * OpenFlow message boundaries ({@code OpenFlowBytes.split}). Parts of one sender arrive in order (Pekko orders
     * messages per sender and receiver).
     */
    int PART_BYTES = 128 * 1024;

    /**
     * Send ROLE_REQUEST (MASTER or SLAVE) with this generation id. {@code host} is the entity's current incarnation:
     * the session watches it and announces itself again as soon as it stops (moved, restarted or its node died).
     */
    record SetRole(boolean master, long generation, ActorRef<HostProtocol.Command> host)
            implements SessionCommand, CborSerializable {}

    /**
     * Read the switch's Portmesh flows and groups; answer {@link HostProtocol.Installed} with {@code seq} (the agent
     * slot's sequence number, so that the entity can tell a current read from one it no longer wants).
     */
    record Reconcile(long seq, ActorRef<HostProtocol.Command> host) implements SessionCommand, CborSerializable {}

    /**
     * Count the packets of the flows with exactly {@code cookie} (a flow-stats request); answer {@code replyTo}
     * directly, or with the request's error (the connection's request timeout bounds it). A move's deadline asks this
     * of its destination's activation flows (docs/architecture.md section 7.1).
     */
    record CountPackets(long cookie, ActorRef<StatusReply<HostProtocol.ActivationCount>> replyTo)
            implements SessionCommand, CborSerializable {}

    /**
     * Write these OpenFlow messages (may be none) followed by a barrier; answer {@link HostProtocol.Acked} with
     * {@code seq} when the barrier reply arrives and no message of this push was refused, or
     * {@link HostProtocol.PushFailed}. {@code seq} numbers the pushes of one agent slot; {@code version} is the plan
     * version the push brings the agent to (for logs). A push longer than {@link #PART_BYTES} comes in parts of the
     * same {@code seq}: each but the last has {@code more}, and the barrier follows the last.
     */
    record Push(long seq, long version, byte[] messages, int count, ActorRef<HostProtocol.Command> host, boolean more)
            implements SessionCommand, CborSerializable {
        public Push(long seq, long version, byte[] messages, int count, ActorRef<HostProtocol.Command> host) {
            this(seq, version, messages, count, host, false);
        }
    }

    /**
     * Refuse the connection: the host's registration pins another key or dpid for its slot than this agent's
     * (docs/architecture.md section 13.1). {@code reason} is the metric label, {@code why} the log's sentence; the
     * session counts and logs it where the connection is, as the listener does its refusals.
     */
    record Refuse(String reason, String why) implements SessionCommand, CborSerializable {}

    /** Close the connection (the host is unknown, or the connection is refused). */
    record Close(String reason) implements SessionCommand, CborSerializable {}
}
