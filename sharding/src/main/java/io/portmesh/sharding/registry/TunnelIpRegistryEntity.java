package io.portmesh.sharding.registry;

import io.portmesh.model.CborSerializable;
import io.portmesh.sharding.Errors;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Which host holds which VXLAN tunnel endpoint, cluster-wide: one entity ({@link #ID}) so that two hosts can never
 * claim the same tunnel IP, whichever nodes register them at the same time. Two hosts on one endpoint would each
 * receive the other's tunnelled frames.
 *
 * <p>A host holds one tunnel IP. A claim is idempotent for the same host and IP, so that a registration retried after
 * a failure between the claim and the host's own event reuses its claim (see {@code ShardedNetworkService.createHost}
 * for the order). Hosts are never deleted, so a claim is released only when the host refused the registration.
 */
public final class TunnelIpRegistryEntity
        extends EventSourcedBehaviorWithEnforcedReplies<
                TunnelIpRegistryEntity.Command, TunnelIpRegistryEntity.Event, TunnelIpRegistryEntity.State> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "TunnelIpRegistry");
    public static final String ID = "tunnel-ips";

    public sealed interface Command extends CborSerializable {}

    /** Refused with a conflict when another host holds {@code tunnelIp}, or {@code host} holds another one. */
    public record Claim(String host, String tunnelIp, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    /** Gives {@code tunnelIp} back if {@code host} holds it; anything else is a no-op, so a retry is harmless. */
    public record Release(String host, String tunnelIp, ActorRef<StatusReply<Done>> replyTo) implements Command {}

    public sealed interface Event extends CborSerializable {}

    public record Claimed(String host, String tunnelIp) implements Event {}

    public record Released(String host, String tunnelIp) implements Event {}

    /** @param hostByIp the holder of each claimed tunnel IP */
    public record State(Map<String, String> hostByIp) implements CborSerializable {
        String ipOf(String host) {
            return hostByIp.entrySet().stream()
                    .filter(e -> e.getValue().equals(host))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
        }

        State with(String ip, String host) {
            Map<String, String> m = new TreeMap<>(hostByIp);
            m.put(ip, host);
            return new State(m);
        }

        State without(String ip) {
            Map<String, String> m = new TreeMap<>(hostByIp);
            m.remove(ip);
            return new State(m);
        }
    }

    private TunnelIpRegistryEntity(String id) {
        super(PersistenceId.of(TYPE_KEY.name(), id));
    }

    public static void init(ActorSystem<?> system) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId())));
    }

    public static Behavior<Command> create(String id) {
        return Behaviors.setup(ctx -> new TunnelIpRegistryEntity(id));
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(200, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Claim.class, this::onClaim)
                .onCommand(Release.class, this::onRelease)
                .build();
    }

    private ReplyEffect<Event, State> onClaim(State s, Claim c) {
        String holder = s.hostByIp().get(c.tunnelIp());
        if (c.host().equals(holder)) {
            return Effect().reply(c.replyTo(), StatusReply.ack());
        }
        if (holder != null) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            Errors.conflict(
                                    "tunnelIp",
                                    "tunnel IP " + c.tunnelIp() + " is already used by host " + holder
                                            + "; two hosts on one tunnel endpoint would receive each other's traffic"));
        }
        String mine = s.ipOf(c.host());
        if (mine != null) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            Errors.conflict(
                                    "tunnelIp",
                                    "host " + c.host() + " already holds tunnel IP " + mine
                                            + "; a host keeps the tunnel IP it was first registered with (retry"
                                            + " with " + mine + " if that registration did not finish)"));
        }
        return Effect().persist(new Claimed(c.host(), c.tunnelIp())).thenReply(c.replyTo(), ns -> StatusReply.ack());
    }

    private ReplyEffect<Event, State> onRelease(State s, Release c) {
        if (!c.host().equals(s.hostByIp().get(c.tunnelIp()))) {
            return Effect().reply(c.replyTo(), StatusReply.ack());
        }
        return Effect().persist(new Released(c.host(), c.tunnelIp())).thenReply(c.replyTo(), ns -> StatusReply.ack());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Claimed.class, (s, e) -> s.with(e.tunnelIp(), e.host()))
                .onEvent(Released.class, (s, e) -> s.without(e.tunnelIp()))
                .build();
    }
}
