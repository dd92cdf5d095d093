package io.portmesh.sharding.port;

import io.portmesh.model.CborSerializable;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.PortInfo;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a {@link LogicalPortEntity} is sent and what it answers: its commands and its {@link Outcome}. They are not
 * persisted (the port's events are, and stay in {@link LogicalPortEntity}); those other nodes send cross in Jackson
 * CBOR with the class name as manifest. Apart from the entity so that the protocol reads in one place, without the
 * steps; callers name the types {@code PortProtocol.Bind} and the like (nothing implements this interface: it is
 * only their namespace).
 */
public interface PortProtocol {
    /** Commands; those other nodes send are {@link CborSerializable}, the step results a port sends itself are not. */
    sealed interface Command permits Request, Get, GetMove, Activate, Touch, SelfMessage {}

    /** A command answered after steps: it waits while another change runs. */
    sealed interface Request<T> extends Command, CborSerializable
            permits IdentifiedRequest, Exists, Move, CompleteMove, CancelMove {
        ActorRef<StatusReply<T>> replyTo();
    }

    /**
     * A request that changes the port, with the id of the API call that sent it: a copy resent after a member's
     * removal ({@code AskResender}) carries the same id, and the port answers it {@code DUPLICATE} ({@code EntityError.Kind}) instead of
     * running it a second time, after another client's change maybe (docs/architecture.md 7.3). Null: sent by no API
     * call (tests, the entities themselves): never taken for a duplicate.
     */
    sealed interface IdentifiedRequest<T> extends Request<T> permits Create, ChangeRequest {
        String requestId();
    }

    /** A request to change the port's binding (or delete the port), answered with the {@link Outcome}. */
    sealed interface ChangeRequest extends IdentifiedRequest<Outcome> permits Bind, Unbind, Delete {
        PortChange change();

        boolean awaitRealized();
    }

    public record Create(
            SwitchId switchId,
            Mac mac,
            List<Ipv4> ips,
            String name,
            String requestId,
            ActorRef<StatusReply<PortInfo>> replyTo)
            implements IdentifiedRequest<PortInfo> {
        public Create(
                SwitchId switchId, Mac mac, List<Ipv4> ips, String name, ActorRef<StatusReply<PortInfo>> replyTo) {
            this(switchId, mac, ips, name, null, replyTo);
        }
    }

    /** Answered at once, during a change too: the state as persisted. */
    public record Get(ActorRef<StatusReply<PortInfo>> replyTo) implements Command, CborSerializable {}

    /**
     * Whether this port was created. Unlike {@link Get} it waits for a change in progress, so that a port whose
     * creation is under way is never taken for a ghost (its switch asks it about an unconfirmed member: MemberChecks).
     */
    public record Exists(ActorRef<StatusReply<Boolean>> replyTo) implements Request<Boolean> {}

    /** {@code awaitRealized}: reply once every affected host's agents acknowledged (or the realization timeout). */
    public record Bind(HostId host, boolean awaitRealized, String requestId, ActorRef<StatusReply<Outcome>> replyTo)
            implements ChangeRequest {
        public Bind(HostId host, boolean awaitRealized, ActorRef<StatusReply<Outcome>> replyTo) {
            this(host, awaitRealized, null, replyTo);
        }

        @Override
        public PortChange change() {
            return new PortChange.BindTo(host.value());
        }
    }

    public record Unbind(boolean awaitRealized, String requestId, ActorRef<StatusReply<Outcome>> replyTo)
            implements ChangeRequest {
        public Unbind(boolean awaitRealized, ActorRef<StatusReply<Outcome>> replyTo) {
            this(awaitRealized, null, replyTo);
        }

        @Override
        public PortChange change() {
            return new PortChange.Unbind();
        }
    }

    public record Delete(boolean awaitRealized, String requestId, ActorRef<StatusReply<Outcome>> replyTo)
            implements ChangeRequest {
        public Delete(boolean awaitRealized, ActorRef<StatusReply<Outcome>> replyTo) {
            this(awaitRealized, null, replyTo);
        }

        @Override
        public PortChange change() {
            return new PortChange.Delete();
        }
    }

    /**
     * Starts a live move to {@code host} (docs/architecture.md section 7.1; {@link MoveStart} and {@link MoveEnd} have the steps), or
     * answers the move there under way. A move to another host while one is under way takes that one back first.
     */
    public record Move(HostId host, boolean awaitRealized, ActorRef<StatusReply<MigrationInfo>> replyTo)
            implements Request<MigrationInfo> {}

    /** Activates the move under way from the inventory, as the VM's RARP would. */
    public record CompleteMove(boolean awaitRealized, ActorRef<StatusReply<MigrationInfo>> replyTo)
            implements Request<MigrationInfo> {}

    /** Takes the move under way back (not once activated). */
    public record CancelMove(boolean awaitRealized, ActorRef<StatusReply<MigrationInfo>> replyTo)
            implements Request<MigrationInfo> {}

    /** Answered at once: the move under way, or the last one. */
    public record GetMove(ActorRef<StatusReply<MigrationInfo>> replyTo) implements Command, CborSerializable {}

    /**
     * The destination host saw the VM announce itself (its RARP or ARP on the port's VLAN there): the move is
     * activated if it is under way to that host, and ignored otherwise. Waits, like a request, while a step runs.
     */
    public record Activate(HostId host, String by) implements Command, CborSerializable {
        public static final String BY_RARP = "RARP";
        public static final String BY_API = "API";
        /**
         * At the move's deadline the destination's agent had counted the VM's RARP/ARP on its activation flows: the
         * VM runs there although its packet-in was lost ({@code MoveDeadlineCheck}).
         */
        public static final String BY_FLOW_COUNT = "activation-flow-count";
    }

    /**
     * The result of a change: the VLAN (bind), per affected host the plan version that includes it, and, when
     * realization was awaited, the hosts whose agents did not acknowledge it in time.
     */
    public record Outcome(String host, int vlan, Map<String, Long> versions, List<String> behind)
            implements CborSerializable {}

    /**
     * Sent through sharding by the destination host of a move while the port arrives there: starts a port whose node
     * died (it resumes the move) and keeps it from being passivated, which would stop its deadline timer.
     */
    public record Touch() implements Command, CborSerializable {}
}
