package io.portmesh.sharding.resend;

import io.portmesh.sharding.Futures;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * Asks to sharded entities that are sent again when a cluster member is removed while they wait (docs/architecture.md
 * 7.3, "Asks resent after a removal"). Pekko sharding delivers a message to the region it believes owns the shard;
 * between a member's crash and the sharding coordinator's deallocation of its shards (the removal plus
 * {@code down-removal-margin}) that is the dead member's region, and the message is lost without an error: its ask
 * waits out its whole timeout. This node cannot tell which asks went there, so once the removed member's shards have
 * left the coordinator ({@link RemovalWatch}) every ask of that entity type still waiting is sent once more, and
 * sharding now finds the shard a new home. Only commands whose duplicate the entity answers as it answered the first
 * may be resent (the callers say which: {@code resendable}); the first reply wins.
 */
public final class AskResender implements Extension {
    private static final ExtensionId<AskResender> ID = new ExtensionId<>() {
        @Override
        public AskResender createExtension(ActorSystem<?> system) {
            return new AskResender(system);
        }
    };

    private final ActorSystem<?> system;
    private final NodeMetrics metrics;
    private final Set<ResendableAsk<?, ?>> waiting = ConcurrentHashMap.newKeySet();

    private AskResender(ActorSystem<?> system) {
        this.system = system;
        this.metrics = NodeMetrics.get(system);
        system.systemActorOf(RemovalWatch.create(this), "portmesh-ask-resender", Props.empty());
    }

    public static AskResender get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /**
     * Asks {@code ref}; when {@code resendable}, the ask is resent once per member removed while it waits (within
     * {@code timeout}, which stays the ask's whole deadline).
     */
    public <M, R> CompletableFuture<R> ask(
            EntityRef<M> ref, Function<ActorRef<StatusReply<R>>, M> message, Duration timeout, boolean resendable) {
        if (!resendable) {
            return Futures.on(ref.askWithStatus(message::apply, timeout), system.executionContext());
        }
        ResendableAsk<M, R> ask = new ResendableAsk<>(ref, message, timeout, system.executionContext());
        waiting.add(ask);
        ask.result().whenComplete((r, e) -> waiting.remove(ask));
        return ask.result();
    }

    /** The entity types of the asks waiting now. */
    Set<String> waitingTypes() {
        return waiting.stream().map(ResendableAsk::entityType).collect(Collectors.toSet());
    }

    /** Sends every ask of {@code entityType} waiting now once more, at most once per removal; returns how many. */
    int resend(String entityType, Address removed) {
        int sent = 0;
        for (ResendableAsk<?, ?> ask : waiting) {
            if (ask.entityType().equals(entityType) && ask.resendFor(removed)) {
                sent++;
            }
        }
        if (sent > 0) {
            metrics.asksResent.inc(sent);
            system.log()
                    .info(
                            "resent {} waiting asks to {} entities after member {} was removed",
                            sent,
                            entityType,
                            removed);
        }
        return sent;
    }
}
