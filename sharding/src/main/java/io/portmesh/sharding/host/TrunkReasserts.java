package io.portmesh.sharding.host;

import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How often a host's trunk may be re-asserted (docs/architecture.md section 7.2): when the agent of the slot the
 * controllers want forwarding reports its trunk down without being asked (its pair fence took it down on a heartbeat
 * with an epoch newer than the one it knew), the Host brings it up again with the host's epoch, at once the first time
 * and at most once per {@link #SPACING} after that. One that comes sooner waits for the spacing to end (one timer,
 * {@link HostSelfMessage.ReassertTrunks}): the trunk is not left down until the next reconciliation read, and a
 * fence and a controller that disagree (which the epochs rule out; a misconfigured pair could) cost one PORT_MOD up
 * per spacing, counted and logged, not a loop at wire speed.
 */
final class TrunkReasserts {
    static final Duration SPACING = Duration.ofSeconds(1);

    private final ActorContext<HostProtocol.Command> ctx;
    private final NodeMetrics metrics;
    /** When the last re-assertion was sent; meaningless while {@link #any} is false. */
    private long lastNanos;

    private boolean any;
    private boolean waiting;

    TrunkReasserts(ActorContext<HostProtocol.Command> ctx, NodeMetrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
    }

    /**
     * Whether {@code slot}'s trunk, reported down by its agent, may be brought up now; if not, the trunks are looked
     * at again when the spacing ends.
     */
    boolean mayReassert(HostState s, String slot) {
        long now = System.nanoTime();
        long since = now - lastNanos;
        if (any && since < SPACING.toNanos()) {
            if (!waiting) {
                waiting = true;
                Duration rest = Duration.ofNanos(SPACING.toNanos() - since);
                metrics.trunkReasserts.labelValues("deferred").inc();
                ctx.getLog()
                        .warn(
                                "host {}: the agent of slot {} took its trunk down again {} ms after the last"
                                        + " re-assertion (its pair fence?): bringing it up in {} ms (at most once per"
                                        + " {} ms)",
                                s.id(),
                                slot,
                                since / 1_000_000,
                                rest.toMillis(),
                                SPACING.toMillis());
                ctx.scheduleOnce(rest, ctx.getSelf(), new HostSelfMessage.ReassertTrunks());
            }
            return false;
        }
        any = true;
        waiting = false;
        lastNanos = now;
        metrics.trunkReasserts.labelValues("reasserted").inc();
        ctx.getLog()
                .info(
                        "host {}: the agent of slot {}, which the controllers want forwarding, took its trunk down"
                                + " (its pair fence?): bringing it up again with the host's epoch {}",
                        s.id(),
                        slot,
                        s.endpointEpoch());
        return true;
    }

    /** The timer of a deferred re-assertion fired. */
    void spacingOver() {
        waiting = false;
    }
}
