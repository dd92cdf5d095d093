package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.Realization;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.pattern.StatusReply;

/**
 * The port's answers that more than one step gives: its state, its move, the refusals that name the port, and a Bind's
 * answer when the Bind became a move. In one place so that a client hears the same words for the same condition from
 * every command.
 */
final class PortReplies {
    private PortReplies() {}

    static <T> StatusReply<T> noPort(String portId) {
        return Errors.notFound("no port " + portId);
    }

    /** {@link PortProtocol.Get}: the state as persisted. */
    static StatusReply<PortInfo> info(String portId, PortState s) {
        return s.exists() ? StatusReply.success(s.info()) : noPort(portId);
    }

    /** A LEAVING port refuses what would bind it or create it again. */
    static <T> StatusReply<T> beingDeleted(String portId) {
        return Errors.conflict("port " + portId + " is being deleted: its switch did not confirm it in time;"
                + " repeat the delete to finish it");
    }

    /** {@link PortProtocol.GetMove}: the move under way, or the last one. */
    static StatusReply<MigrationInfo> moveInfo(String portId, PortState s) {
        if (!s.exists()) {
            return noPort(portId);
        }
        if (s.move() == null) {
            return Errors.notFound("port " + portId + " has not moved");
        }
        return StatusReply.success(s.move().info(portId, Realization.NOT_WAITED));
    }

    /** A Bind to another host is a move; its client hears the binding (the VLAN on the new host). */
    static Consumer<StatusReply<MigrationInfo>> asBinding(PortProtocol.Bind bind) {
        return reply -> bind.replyTo()
                .tell(
                        reply.isSuccess()
                                ? StatusReply.success(new PortProtocol.Outcome(
                                        reply.getValue().to(),
                                        reply.getValue().toVlan() == null
                                                ? 0
                                                : reply.getValue().toVlan(),
                                        Map.of(),
                                        reply.getValue().realization() == null
                                                ? List.of()
                                                : reply.getValue().realization().pendingHosts()))
                                : StatusReply.error(reply.getError()));
    }
}
