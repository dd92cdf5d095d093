package io.portmesh.cluster.health;

import io.portmesh.sharding.service.ClusterView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Whether this node's view of the cluster says it is re-balancing, in words for a 503: members it sees as unreachable
 * (their entities answer nobody until they are downed and their shards move), members leaving or downed (their shards
 * are moving), and members removed within {@link #RECENT} (their shards' entities are still starting on their new
 * nodes and recovering).
 */
public final class Rebalancing {
    /**
     * How long a removal counts as recent: the entities of a removed member start again only when they next get a
     * message, each with its recovery, and its Host entities re-elect masters and reconcile; 30 s covers that on the
     * dev machine with room to spare.
     */
    static final Duration RECENT = Duration.ofSeconds(30);

    private static final Set<String> MOVING = Set.of("Leaving", "Exiting", "Down");

    private final Cluster cluster;
    /** Removed members' addresses, with when this node saw them removed (System.nanoTime). */
    private final Map<String, Long> removed = new ConcurrentHashMap<>();

    private Rebalancing(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Starts watching for removed members. */
    public static Rebalancing start(ActorSystem<?> system) {
        Rebalancing r = new Rebalancing(Cluster.get(system));
        var watcher = system.systemActorOf(
                Behaviors.receive(ClusterEvent.MemberRemoved.class)
                        .onMessage(ClusterEvent.MemberRemoved.class, e -> {
                            r.removed.put(e.member().address().toString(), System.nanoTime());
                            return Behaviors.same();
                        })
                        .build(),
                "portmesh-removed-members",
                Props.empty());
        r.cluster.subscriptions().tell(Subscribe.create(watcher, ClusterEvent.MemberRemoved.class));
        return r;
    }

    /** "the cluster is re-balancing (member ... is unreachable)", or empty when this node sees nothing moving. */
    public Optional<String> describe() {
        long now = System.nanoTime();
        removed.values().removeIf(at -> now - at > RECENT.toNanos());
        return describe(ClusterView.of(cluster), removed, now);
    }

    static Optional<String> describe(ClusterView view, Map<String, Long> removedAt, long nowNanos) {
        List<String> why = new ArrayList<>();
        for (ClusterView.MemberView m : view.members()) {
            if (!m.reachable()) {
                why.add("member " + m.address() + " is unreachable");
            } else if (MOVING.contains(m.status())) {
                why.add("member " + m.address() + " is " + m.status().toLowerCase(java.util.Locale.ROOT));
            }
        }
        removedAt.forEach((address, at) -> {
            long ago = Duration.ofNanos(nowNanos - at).toSeconds();
            if (ago <= RECENT.toSeconds()) {
                why.add("member " + address + " was removed " + ago + " s ago");
            }
        });
        return why.isEmpty()
                ? Optional.empty()
                : Optional.of("the cluster is re-balancing (" + String.join(", ", why) + ")");
    }
}
