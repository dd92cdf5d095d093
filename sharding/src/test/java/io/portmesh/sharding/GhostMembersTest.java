package io.portmesh.sharding;

import static io.portmesh.sharding.Eventually.eventually;
import static io.portmesh.sharding.ServiceCalls.await;
import static io.portmesh.sharding.ServiceCalls.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ghosts real ports leave in their switch (docs/architecture.md section 3.2), on a one-node cluster with every
 * entity sharded: a port whose ask to join timed out and whose RemovePort was lost, a port that never persisted
 * Created, and, against them, a real port whose creation outlasts the switch's check, which keeps its member.
 */
class GhostMembersTest {
    private static final Duration ASK = Duration.ofSeconds(2);
    private static final Duration REALIZE = Duration.ofSeconds(1);
    /** How often the switches look for ghosts: far shorter than the asks, so that a slow creation meets a check. */
    private static final Duration CHECKS = Duration.ofMillis(300);

    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static final AtomicInteger ids = new AtomicInteger();
    private static ClusterSharding sharding;
    private static NetworkService svc;

    /** What a switch does to its next AddPort's answer and its next RemovePort. */
    private static final class Faults {
        /** AddPort answers to lose (the switch added the member, the port's ask times out). */
        final AtomicInteger addAnswersToLose = new AtomicInteger();
        /** RemovePorts to lose before they reach the switch. */
        final AtomicInteger removesToLose = new AtomicInteger();
        /** How long the next AddPort's answer is held (zero: not held). */
        volatile Duration addAnswerDelay = Duration.ZERO;
    }

    private static final Map<String, Faults> FAULTS = new ConcurrentHashMap<>();

    @BeforeAll
    static void joinAndStartSharding() {
        var system = testKit.system();
        sharding = ClusterSharding.get(system);
        EntityTestKits.startWithFlakyHosts(system, ASK, REALIZE, GhostMembersTest::faultySwitch);
        svc = new ShardedNetworkService(system, new TopologyView(), ASK, REALIZE);
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aGhostLeftByAPortWhoseAskTimedOutAndWhoseRemovePortWasLostIsRemoved() throws Exception {
        SwitchId sw = newSwitch();
        faults(sw).addAnswersToLose.set(1);
        faults(sw).removesToLose.set(1);

        assertThat(failure(svc.createPort(sw, Mac.parse("52:54:00:0b:00:01"), List.of(), Optional.empty())))
                .isNotNull();
        eventually(() -> assertThat(faults(sw).removesToLose.get())
                .as("the port's RemovePort was lost")
                .isZero());
        // the member the switch added (its check may have removed it already: the port answered once its ask failed)
        List<String> added = switchEvents(sw).stream()
                .filter(e -> e instanceof LogicalSwitchEntity.PortAdded)
                .map(e -> ((LogicalSwitchEntity.PortAdded) e).port())
                .toList();
        assertThat(added).hasSize(1);
        String ghost = added.get(0);
        assertThat(failure(svc.getPort(PortId.of(ghost)))).isInstanceOf(NotFoundException.class);

        eventually(() -> assertThat(await(svc.getSwitch(sw)).ports()).isEmpty());
        assertThat(switchEvents(sw)).contains(new LogicalSwitchEntity.PortRemoved(ghost));
        // its MAC is free for the next port
        PortInfo next = await(svc.createPort(sw, Mac.parse("52:54:00:0b:00:01"), List.of(), Optional.empty()));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(next.id());
    }

    @Test
    void aGhostOfAPortThatNeverPersistedCreatedIsRemoved() throws Exception {
        SwitchId sw = newSwitch();
        // the switch added the member, then the port's node died before the port persisted Created
        String ghost = "p-ghost-" + ids.incrementAndGet();
        await(sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw.value())
                .<Integer>askWithStatus(
                        r -> new SwitchProtocol.AddPort(PortId.of(ghost), Mac.parse("52:54:00:0c:00:01"), r), ASK));
        PortInfo real = await(svc.createPort(sw, Mac.parse("52:54:00:0c:00:02"), List.of(), Optional.empty()));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactlyInAnyOrder(ghost, real.id());

        eventually(() -> assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(real.id()));
        eventually(() -> assertThat(switchEvents(sw)).contains(new LogicalSwitchEntity.MemberConfirmed(real.id())));
    }

    /**
     * The switch's answer to a port's AddPort is held longer than the switch waits before checking its new member, but
     * within the port's ask: the check finds the port's creation under way, waits for it, and confirms the member.
     */
    @Test
    void aRealMemberWhosePortIsCreatedSlowlyIsKept() throws Exception {
        SwitchId sw = newSwitch();
        faults(sw).addAnswerDelay = CHECKS.multipliedBy(5);

        PortInfo slow = await(svc.createPort(sw, Mac.parse("52:54:00:0d:00:01"), List.of(), Optional.empty()));

        eventually(() -> assertThat(switchEvents(sw)).contains(new LogicalSwitchEntity.MemberConfirmed(slow.id())));
        assertThat(switchEvents(sw)).doesNotContain(new LogicalSwitchEntity.PortRemoved(slow.id()));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(slow.id());
        assertThat(await(svc.getPort(PortId.of(slow.id()))).id()).isEqualTo(slow.id());
    }

    /** The real switch as a child; its AddPort answers and RemovePorts faulted as {@link #faults} says. */
    private static Behavior<SwitchProtocol.Command> faultySwitch(String id, LogicalSwitchEntity.HostNotifier notifier) {
        return Behaviors.setup(ctx -> {
            ActorRef<SwitchProtocol.Command> real =
                    ctx.spawn(LogicalSwitchEntity.create(id, sharding, notifier, ASK, REALIZE, CHECKS), "real");
            Faults faults = FAULTS.computeIfAbsent(id, x -> new Faults());
            return Behaviors.receiveMessage(c -> {
                if (c instanceof SwitchProtocol.RemovePort && takeOne(faults.removesToLose)) {
                    return Behaviors.same();
                }
                if (c instanceof SwitchProtocol.AddPort a && takeOne(faults.addAnswersToLose)) {
                    real.tell(new SwitchProtocol.AddPort(
                            a.port(), a.mac(), ctx.getSystem().ignoreRef()));
                    return Behaviors.same();
                }
                if (c instanceof SwitchProtocol.AddPort a && !faults.addAnswerDelay.isZero()) {
                    Duration delay = faults.addAnswerDelay;
                    faults.addAnswerDelay = Duration.ZERO;
                    ActorRef<StatusReply<Integer>> late = ctx.spawnAnonymous(Behaviors.<StatusReply<Integer>>setup(
                            held -> Behaviors.receiveMessage(r -> {
                                held.scheduleOnce(delay, a.replyTo(), r);
                                return Behaviors.same();
                            })));
                    real.tell(new SwitchProtocol.AddPort(a.port(), a.mac(), late));
                    return Behaviors.same();
                }
                real.tell(c);
                return Behaviors.same();
            });
        });
    }

    private static boolean takeOne(AtomicInteger n) {
        return n.getAndUpdate(x -> Math.max(0, x - 1)) > 0;
    }

    private static Faults faults(SwitchId sw) {
        return FAULTS.computeIfAbsent(sw.value(), x -> new Faults());
    }

    private static List<Object> switchEvents(SwitchId sw) {
        return PersistenceTestKit.create(testKit.system()).persistedInStorage("LogicalSwitch|" + sw.value());
    }

    private static SwitchId newSwitch() throws Exception {
        return ServiceCalls.newSwitch(svc, "sw-ghosts-" + ids.incrementAndGet());
    }
}
