package io.portmesh.sharding.host;

import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.HostInfo;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The failover under way, as far as the Host entity follows it at runtime (docs/architecture.md section 7.2): when
 * the new active's trunk is confirmed up and every switch re-pointed the peers, its phases go to the metrics and a
 * planned failover's caller gets the host as it is then. It ends there, at its deadline (the realization timeout),
 * or when its target is lost (the entity then looks for another slot to fail over to): a failover that cannot finish
 * never blocks the next one. What must survive a restart is the persisted active slot: reconciliation brings the
 * trunks to it and the endpoint is announced again.
 */
final class HostFailover {
    private final NodeMetrics metrics;
    private long epoch = -1;
    private String target;
    private long persistedNanos;
    private boolean trunkUp;
    private boolean repointed;
    private boolean ended = true;
    private ActorRef<StatusReply<HostInfo>> replyTo;

    HostFailover(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    /** The failover to {@code target} with {@code epoch} was persisted ({@code replyTo}: a planned one's caller). */
    void persisted(
            String target,
            long epoch,
            long lostNanos,
            ActorRef<StatusReply<HostInfo>> replyTo,
            Supplier<StatusReply<HostInfo>> info) {
        answer(info); // a newer failover supersedes one whose caller still waits: it gets the host as it is
        this.target = target;
        this.epoch = epoch;
        this.persistedNanos = System.nanoTime();
        this.trunkUp = false;
        this.repointed = false;
        this.ended = false;
        this.replyTo = replyTo;
        if (lostNanos > 0) {
            metrics.failoverSeconds.labelValues("decided").observe((persistedNanos - lostNanos) / 1e9);
        }
    }

    /** A failover is under way (not confirmed, not past its deadline, not abandoned). */
    boolean underway() {
        return !ended;
    }

    /** The slot the failover under way brings up (null when none is under way). */
    String target() {
        return ended ? null : target;
    }

    /** An agent confirmed its trunk state. */
    void trunkConfirmed(String slot, boolean up, Supplier<StatusReply<HostInfo>> info) {
        if (ended || trunkUp || !up || !slot.equals(target)) {
            return;
        }
        trunkUp = true;
        metrics.failoverSeconds.labelValues("trunk").observe((System.nanoTime() - persistedNanos) / 1e9);
        maybeDone(info);
    }

    /** Every switch of the host took the endpoint of failover {@code epoch}. */
    void repointed(long doneEpoch, Supplier<StatusReply<HostInfo>> info) {
        if (doneEpoch != epoch || repointed) {
            return;
        }
        repointed = true;
        metrics.failoverSeconds.labelValues("repointed").observe((System.nanoTime() - persistedNanos) / 1e9);
        maybeDone(info);
    }

    /** The failover's deadline (the realization timeout): it ends, and its caller gets the host as it is. */
    void deadline(long deadlineEpoch, Supplier<StatusReply<HostInfo>> info) {
        if (deadlineEpoch == epoch) {
            end(info);
        }
    }

    /** Its target was lost before it finished: it ends, and its caller gets the host as it is. */
    void abandon(Supplier<StatusReply<HostInfo>> info) {
        end(info);
    }

    private void maybeDone(Supplier<StatusReply<HostInfo>> info) {
        if (trunkUp && repointed) {
            end(info);
        }
    }

    private void end(Supplier<StatusReply<HostInfo>> info) {
        ended = true;
        answer(info);
    }

    private void answer(Supplier<StatusReply<HostInfo>> info) {
        if (replyTo != null && info != null) {
            replyTo.tell(info.get());
        }
        replyTo = null;
    }
}
