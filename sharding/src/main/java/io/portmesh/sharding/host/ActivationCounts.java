package io.portmesh.sharding.host;

import io.portmesh.model.flow.Cookies;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostProtocol.CountActivation;
import io.portmesh.sharding.southbound.SessionCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A move's destination answers how many packets the activation flows of a port arriving here matched
 * (docs/architecture.md section 7.1, row R): the port asks before it rolls back at its deadline, so that a VM whose
 * RARP reached this host's agent but whose packet-in was lost is not rolled back. The count is read from the active
 * slot's master connection, the connection whose packet-ins the host takes, with a flow-stats request filtered by the
 * port's ACTIVATE cookie; the session answers the port directly. Nothing is kept here: each ask is one read.
 */
final class ActivationCounts {
    private ActivationCounts() {}

    /**
     * A port that does not arrive here is a definite answer (a conflict: nothing of it is on this host, so nothing can
     * be stranded by a rollback); an active slot without a master is not (unavailable: the port asks again).
     */
    static void ask(HostState s, CountActivation c, ActorRef<SessionCommand> activeMaster) {
        HostState.LocalBinding b = s.bindings().get(c.port().value());
        if (b == null || !b.arriving()) {
            c.replyTo()
                    .tell(Errors.conflict("port " + c.port().value() + " does not arrive at host " + s.id()
                            + (b == null ? " (not bound here)" : " (bound here for good)")));
            return;
        }
        if (activeMaster == null) {
            c.replyTo()
                    .tell(Errors.unavailable("host " + s.id() + " has no master connection to the agent of its slot "
                            + s.activeSlot() + ": the activation flows of port "
                            + c.port().value()
                            + " cannot be read now"));
            return;
        }
        activeMaster.tell(new SessionCommand.CountPackets(Cookies.cookie(Cookies.ACTIVATE, b.vlan()), c.replyTo()));
    }
}
