package io.portmesh.sharding.host;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The node answers to one {@link HostFanout.Deliver}: done as soon as every target host was claimed by a node that
 * answered, or every node answered, or the nodes still silent are no longer usable (unreachable, leaving, gone).
 *
 * <p>Why not simply wait for every node: a node that crashed is silent until the failure detector marks it
 * unreachable (seconds), and a change whose hosts all run on the surviving nodes must not wait for it (issue 18:
 * such a binding answered 503 after 20 s while a node was dead). Its hosts, if any were targets, stay unclaimed and
 * are asked directly through sharding once the round is done.
 */
final class FanoutRound {
    private final Set<String> targets;
    private final Set<ActorRef<HostFanout.Deliver>> silent;
    private final Map<String, HostProtocol.Applied> applied = new HashMap<>();
    private final CompletableFuture<Map<String, HostProtocol.Applied>> done = new CompletableFuture<>();

    FanoutRound(List<String> targets, Set<ActorRef<HostFanout.Deliver>> asked) {
        this.targets = Set.copyOf(targets);
        this.silent = new HashSet<>(asked);
        check();
    }

    /** Completes with the answers of the hosts that nodes claimed (a host answered twice keeps its later answer). */
    CompletableFuture<Map<String, HostProtocol.Applied>> done() {
        return done;
    }

    synchronized void answered(ActorRef<HostFanout.Deliver> node, HostFanout.Delivered delivered) {
        silent.remove(node);
        delivered.applied().forEach((h, a) -> applied.merge(h, a, FanoutRound::later));
        check();
    }

    /** The ask of {@code node} failed (its timeout): its hosts, if any, are asked directly. */
    synchronized void failed(ActorRef<HostFanout.Deliver> node) {
        silent.remove(node);
        check();
    }

    /** Stops waiting for the silent nodes whose address is no longer usable. */
    synchronized void forgetUnless(Predicate<Address> usable) {
        silent.removeIf(n -> !usable.test(n.path().address()));
        check();
    }

    synchronized boolean isDone() {
        return done.isDone();
    }

    private void check() {
        if (!done.isDone() && (silent.isEmpty() || applied.keySet().containsAll(targets))) {
            done.complete(Map.copyOf(applied));
        }
    }

    static HostProtocol.Applied later(HostProtocol.Applied a, HostProtocol.Applied b) {
        return a.version() >= b.version() ? a : b;
    }
}
