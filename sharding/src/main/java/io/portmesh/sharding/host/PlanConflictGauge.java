package io.portmesh.sharding.host;

import io.portmesh.sharding.metrics.NodeMetrics;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * One Host entity's share of the node's {@code portmesh_plan_conflicts} gauge. Inputs that contradict each other (a
 * MAC bound here and elsewhere, two members with one MAC) are resolved by the plan code's stated rules, never thrown
 * out of the entity. They should not happen; when they do, the count is on the gauge and a warning names them, so that
 * the binding that causes it can be found and fixed.
 */
final class PlanConflictGauge {
    private final ActorContext<HostProtocol.Command> ctx;
    private final NodeMetrics metrics;
    /** What {@link HostPlan#conflictCount} was when last looked at. */
    private int counted;

    PlanConflictGauge(ActorContext<HostProtocol.Command> ctx, NodeMetrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
    }

    /** After a change of the plan. */
    void note(HostPlan plan) {
        int now = plan.conflictCount();
        if (now == counted) {
            return;
        }
        metrics.planConflicts.inc(now - counted);
        if (now > counted) {
            ctx.getLog()
                    .warn(
                            "{}: the plan leaves out {} conflicting inputs: {}",
                            ctx.getSelf().path().name(),
                            now,
                            plan.conflicts());
        }
        counted = now;
    }

    /** The entity stops: its conflicts leave this node's gauge. */
    void stopped() {
        metrics.planConflicts.dec(counted);
        counted = 0;
    }
}
