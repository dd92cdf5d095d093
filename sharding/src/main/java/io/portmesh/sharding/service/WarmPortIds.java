package io.portmesh.sharding.service;

import io.portmesh.model.PortId;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Ids for new ports whose entities are already started: a port entity that receives its first message must first
 * recover from Cassandra (an empty read, on the bind benchmark about 3 ms of a create's 8), so this node starts a few
 * entities ahead of need (asks them {@link PortProtocol.Exists}: they recover and answer false) and hands their
 * ids to the next creates, taking that read off the create's path. When none is ready (a burst, or before the first
 * ones started) a create gets a fresh id and pays the recovery itself, as without the pool.
 *
 * <p>An id is handed out once; an entity whose id waits here longer than the passivation timeout simply stops and
 * recovers again when it is used. Nothing here is persisted: a node that restarts starts new ones.
 */
final class WarmPortIds {
    private final ClusterSharding sharding;
    private final ActorSystem<?> system;
    private final Duration askTimeout;
    private final int target;
    private final ConcurrentLinkedQueue<PortId> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger starting = new AtomicInteger();

    /** @param target how many started entities to keep ready (0: none, every create starts its own) */
    WarmPortIds(ActorSystem<?> system, Duration askTimeout, int target) {
        if (target < 0) {
            throw new IllegalArgumentException("warm port ids must be >= 0: " + target);
        }
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.askTimeout = askTimeout;
        this.target = target;
        refill();
    }

    /** A started entity's id when one is ready, otherwise a fresh one. */
    PortId take() {
        PortId id = ready.poll();
        refill();
        return id != null ? id : fresh();
    }

    int ready() {
        return ready.size();
    }

    private void refill() {
        // concurrent callers may overshoot the target by a few entities: harmless, they are used all the same
        while (ready.size() + starting.get() < target) {
            PortId id = fresh();
            var ask = sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, id.value())
                    .<Boolean>askWithStatus(PortProtocol.Exists::new, askTimeout);
            starting.incrementAndGet(); // only once the ask exists: entityRefFor throws before sharding is started
            Futures.on(ask, system.executionContext()).whenComplete((exists, e) -> {
                if (e == null && !exists) {
                    ready.add(id); // before the decrement, so that a refill meanwhile does not start one too many
                } // else: that entity did not start in time (node busy, shard moving): drop the id
                starting.decrementAndGet();
            });
        }
    }

    static PortId fresh() {
        return PortId.of("p-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }
}
