package io.portmesh.sharding.resend;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.Patterns;

/**
 * Tells {@link AskResender} when the asks waiting may be resent after a member's removal: per entity type, once that
 * type's sharding coordinator no longer lists the removed member's region ({@code GetCurrentRegions}). The coordinator
 * keeps a removed member's shards for {@code down-removal-margin} after the removal (longer when it was on that member
 * and moves itself), and until then answers "that region" for them, so a message sent earlier is lost as the first
 * was. Afterwards the next message allocates the shard to a live region. An empty answer means this node's region has
 * no coordinator yet: it buffers, but the new coordinator may still hold the old allocation, so it is not taken as
 * done. Bounded: polls every {@link #POLL} for at most {@link #WINDOW} after a removal, one resend per ask per removal.
 */
final class RemovalWatch {
    static final Duration POLL = Duration.ofMillis(250);
    /** Longer than any ask's timeout (asks wait at most the realization plus ask timeouts): nothing is left after. */
    static final Duration WINDOW = Duration.ofSeconds(60);

    private RemovalWatch() {}

    sealed interface Msg {}

    private record Removed(ClusterEvent.MemberRemoved event) implements Msg {}

    private record Poll(Address removed, long until) implements Msg {}

    private record Regions(Address removed, String entityType, Set<Address> regions) implements Msg {}

    static Behavior<Msg> create(AskResender resender) {
        return Behaviors.setup(ctx -> {
            Cluster.get(ctx.getSystem())
                    .subscriptions()
                    .tell(Subscribe.create(
                            ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new),
                            ClusterEvent.MemberRemoved.class));
            ClusterSharding classic = ClusterSharding.get(Adapter.toClassic(ctx.getSystem()));
            // per removal, the entity types whose asks were resent already
            Map<Address, Set<String>> doneBy = new HashMap<>();
            return Behaviors.withTimers(timers -> Behaviors.receive(Msg.class)
                    .onMessage(Removed.class, m -> {
                        Address removed = m.event().member().address();
                        if (m.event().previousStatus() == MemberStatus.exiting()) {
                            // a graceful leave: its shards were handed off and the messages meanwhile buffered by
                            // the coordinator, so nothing was lost; a resend would only run every change twice
                            return Behaviors.same();
                        }
                        doneBy.put(removed, new HashSet<>());
                        ctx.getSelf().tell(new Poll(removed, System.nanoTime() + WINDOW.toNanos()));
                        return Behaviors.same();
                    })
                    .onMessage(Poll.class, m -> {
                        Set<String> done = doneBy.get(m.removed());
                        if (done == null || System.nanoTime() - m.until() > 0) {
                            doneBy.remove(m.removed());
                            return Behaviors.same();
                        }
                        Set<String> types = resender.waitingTypes();
                        types.removeAll(done);
                        for (String type : types) {
                            ctx.pipeToSelf(
                                    Patterns.ask(
                                            classic.shardRegion(type), // every node runs every type's region
                                            ShardRegion.getCurrentRegionsInstance(),
                                            POLL.multipliedBy(4)),
                                    (r, e) -> new Regions(
                                            m.removed(),
                                            type,
                                            r instanceof ShardRegion.CurrentRegions c ? c.getRegions() : Set.of()));
                        }
                        timers.startSingleTimer(m.removed(), new Poll(m.removed(), m.until()), POLL);
                        return Behaviors.same();
                    })
                    .onMessage(Regions.class, m -> {
                        Set<String> done = doneBy.get(m.removed());
                        boolean shardsLeft =
                                !m.regions().isEmpty() && !m.regions().contains(m.removed());
                        if (done != null && shardsLeft && done.add(m.entityType())) {
                            resender.resend(m.entityType(), m.removed());
                        }
                        return Behaviors.same();
                    })
                    .build());
        });
    }
}
