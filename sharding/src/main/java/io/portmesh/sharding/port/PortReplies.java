package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.service.PortInfo;
import org.apache.pekko.pattern.StatusReply;

/**
 * The port's answers that are the same wherever a step gives them: its state, and the refusals that name the port. In
 * one place so that a client hears the same words for the same condition from every command.
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
}
