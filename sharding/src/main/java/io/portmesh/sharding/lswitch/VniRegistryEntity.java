package io.portmesh.sharding.lswitch;

import io.portmesh.model.CborSerializable;
import io.portmesh.model.Vni;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.lswitch.SwitchProtocol.Command;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * The cluster-wide VNI allocator: one entity ({@link #ID}) so that two switches can never get the same VNI, whichever
 * nodes create them. A claim is idempotent per switch, so a retried create gets the same VNI.
 */
public final class VniRegistryEntity
        extends EventSourcedBehaviorWithEnforcedReplies<
                VniRegistryEntity.Command, VniRegistryEntity.Event, VniRegistryEntity.State> {
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "VniRegistry");
    public static final String ID = "vnis";
    /** Allocation starts here, leaving low VNIs for operators who want to pick them. */
    public static final int FIRST_ALLOCATED = 5000;

    public sealed interface Command extends CborSerializable {}

    /** vni == 0: allocate one. */
    public record Claim(String switchId, int vni, ActorRef<StatusReply<Integer>> replyTo) implements Command {}

    public record Release(String switchId, ActorRef<StatusReply<Integer>> replyTo) implements Command {}

    public sealed interface Event extends CborSerializable {}

    public record Claimed(String switchId, int vni) implements Event {}

    public record Released(String switchId, int vni) implements Event {}

    public record State(Map<Integer, String> bySwitch) implements CborSerializable {
        Integer vniOf(String switchId) {
            return bySwitch.entrySet().stream()
                    .filter(e -> e.getValue().equals(switchId))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
        }

        State with(int vni, String switchId) {
            Map<Integer, String> m = new TreeMap<>(bySwitch);
            m.put(vni, switchId);
            return new State(m);
        }

        State without(int vni) {
            Map<Integer, String> m = new TreeMap<>(bySwitch);
            m.remove(vni);
            return new State(m);
        }

        int firstFree() {
            int v = FIRST_ALLOCATED;
            while (bySwitch.containsKey(v)) {
                v = v == Vni.MAX ? Vni.MIN : v + 1;
            }
            return v;
        }
    }

    private VniRegistryEntity(String id) {
        super(PersistenceId.of(TYPE_KEY.name(), id));
    }

    public static void init(ActorSystem<?> system) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId())));
    }

    public static Behavior<Command> create(String id) {
        return Behaviors.setup(ctx -> new VniRegistryEntity(id));
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
    public Set<String> tagsFor(Event event) {
        return Set.of("vni");
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
        Integer mine = s.vniOf(c.switchId());
        if (mine != null) {
            if (c.vni() == 0 || c.vni() == mine) {
                return Effect().reply(c.replyTo(), StatusReply.success(mine));
            }
            return Effect().reply(c.replyTo(), Errors.conflict("switch " + c.switchId() + " already has vni " + mine));
        }
        if (c.vni() != 0 && s.bySwitch().containsKey(c.vni())) {
            return Effect()
                    .reply(
                            c.replyTo(),
                            Errors.conflict(
                                    "vni",
                                    "VNI " + c.vni() + " is already used by switch "
                                            + s.bySwitch().get(c.vni()) + "; VNIs are unique across the cluster"));
        }
        if (c.vni() == 0 && s.bySwitch().size() >= Vni.MAX) {
            return Effect().reply(c.replyTo(), Errors.invalid("vni", "all " + Vni.MAX + " VNIs (24 bits) are in use"));
        }
        int vni = c.vni() != 0 ? c.vni() : s.firstFree();
        return Effect().persist(new Claimed(c.switchId(), vni)).thenReply(c.replyTo(), ns -> StatusReply.success(vni));
    }

    private ReplyEffect<Event, State> onRelease(State s, Release c) {
        Integer mine = s.vniOf(c.switchId());
        if (mine == null) {
            return Effect().reply(c.replyTo(), StatusReply.success(0));
        }
        return Effect()
                .persist(new Released(c.switchId(), mine))
                .thenReply(c.replyTo(), ns -> StatusReply.success(mine));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Claimed.class, (s, e) -> s.with(e.vni(), e.switchId()))
                .onEvent(Released.class, (s, e) -> s.without(e.vni()))
                .build();
    }
}
