package io.portmesh.sharding.host;

import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * What a Host does when an agent refuses its role request as stale (or an Open vSwitch role status demotes one of its
 * connections): the controller must never silently lose a switch.
 *
 * <p>When the agent's generation is not newer than ours, a newer election of ours simply reached the agent first
 * through another node; if the refused connection is our master, it is told its role again (the agent makes an
 * EQUAL connection it refused a SLAVE). Otherwise something else holds a newer generation (another controller, a
 * journal restored from backup) and the entity elects past it, at most once a second per host, so that something that
 * keeps bumping the agent's generation costs a write a second, not a loop of them. A refusal inside that spacing is
 * kept (the newest) and looked at again when it has passed ({@link HostSelfMessage.RoleStaleAgain}), never dropped.
 */
final class StaleRoles {
    /** Generations stay below 2^31 so that plan versions ({@code generation << 32 | changes}) never overflow. */
    static final long MAX_GENERATION = Integer.MAX_VALUE;

    private static final long SPACING_NANOS = 1_000_000_000L;

    private final ActorContext<HostProtocol.Command> ctx;
    private final NodeMetrics metrics;
    private long lastElection = System.nanoTime() - SPACING_NANOS;
    /** The newest refusal that came within the spacing. */
    private HostProtocol.RoleStale pending;

    StaleRoles(ActorContext<HostProtocol.Command> ctx, NodeMetrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
    }

    /** @return the generation to elect with now, past the agent's, or -1 when there is nothing to elect now */
    long refused(HostState s, AgentSlot slot, HostProtocol.RoleStale c) {
        long agentGeneration = c.agentGeneration();
        if (agentGeneration >= 0 && agentGeneration <= s.generation()) {
            ctx.getLog().debug("stale role refusal on {} overtaken by generation {}", c.session(), s.generation());
            if (slot.isMaster(c.session())) {
                c.session().tell(new SessionCommand.SetRole(true, s.generation(), ctx.getSelf()));
            }
            return -1;
        }
        long now = System.nanoTime();
        long wait = SPACING_NANOS - (now - lastElection);
        if (wait > 0) {
            if (pending == null) {
                ctx.scheduleOnce(Duration.ofNanos(wait), ctx.getSelf(), new HostSelfMessage.RoleStaleAgain());
            }
            if (pending == null || agentGeneration > pending.agentGeneration()) {
                pending = c;
            }
            return -1;
        }
        metrics.staleRoles.inc();
        if (agentGeneration >= MAX_GENERATION) {
            ctx.getLog()
                    .error(
                            "agent of {} slot {} holds generation {}, beyond what this controller can elect past;"
                                    + " the switch is not mastered by Portmesh until that agent is restarted",
                            ctx.getSelf().path().name(),
                            slot.name,
                            agentGeneration);
            return -1;
        }
        ctx.getLog()
                .warn(
                        "agent of {} slot {} refused generation {} as stale (it has seen {}): electing past it",
                        ctx.getSelf().path().name(),
                        slot.name,
                        s.generation(),
                        agentGeneration < 0 ? "an unknown newer one" : agentGeneration);
        slot.loseSync();
        lastElection = now;
        return Math.max(s.generation(), agentGeneration) + 1;
    }

    /** The refusal that waited for the spacing, or null. */
    HostProtocol.RoleStale takePending() {
        HostProtocol.RoleStale p = pending;
        pending = null;
        return p;
    }
}
