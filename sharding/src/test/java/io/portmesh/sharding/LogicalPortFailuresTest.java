package io.portmesh.sharding;

import static io.portmesh.sharding.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.port.PortState;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.Realization;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.service.UnavailableException;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a port does when a step is cut short: its ask to the host or the switch times out after the other did the
 * change (a lost answer, {@link FlakyHost}, {@link #flakySwitch}), or its node dies between two steps (the port entity
 * restarts). Every entity runs sharded on a one-node cluster, as in {@link LogicalPortEntityTest}, with asks of one
 * second.
 */
class LogicalPortFailuresTest {
    private static final Duration ASK = Duration.ofSeconds(1);
    private static final Duration REALIZE = Duration.ofSeconds(1);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static final AtomicInteger ids = new AtomicInteger();
    private static ClusterSharding sharding;
    private static NetworkService svc;
    /**
     * Creates the fixtures (switches, hosts, ports) with room for an entity's first start: the 1 s asks above are
     * for the failures under test, and a first start (shard allocation, recovery) took over 1 s on the loaded
     * 2-core machine, failing a test before it began.
     */
    private static NetworkService setup;

    @BeforeAll
    static void joinAndStartSharding() {
        var system = testKit.system();
        sharding = ClusterSharding.get(system);
        EntityTestKits.startWithFlakyHosts(system, ASK, REALIZE, LogicalPortFailuresTest::flakySwitch);
        svc = new ShardedNetworkService(system, new TopologyView(), ASK, REALIZE);
        setup = new ShardedNetworkService(system, new TopologyView(), Duration.ofSeconds(10), REALIZE);
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aBindWhoseAnswerIsLostAfterTheHostBoundIsRolledBackAndAnsweredNotApplied() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.1.1");
        PortId port = newPort(sw, "52:54:00:09:01:01");
        FlakyHost.Faults faults = FlakyHost.faults(host.value());
        faults.bindAnswersToLose.set(1);
        faults.unbindAnswersToLose.set(1); // the first ask to roll it back loses its answer too

        Throwable e = failure(svc.bindPort(port, host, false));
        assertThat(e).isInstanceOf(UnavailableException.class).hasMessageContaining("not applied");

        eventually(() -> assertThat(await(svc.getHost(host)).vlansUsed()).isZero());
        assertThat(await(svc.getPort(port)).state()).isEqualTo(PortState.UNBOUND);

        // the binding may be retried: it waits for the rollback to finish, then binds
        assertThat(await(svc.bindPort(port, host, false)).vlan()).isEqualTo(1);
        assertThat(faults.unbindsAsked.get())
                .as("asked to unbind until it answered")
                .isEqualTo(2);
        assertThat(await(svc.getHost(host)).vlansUsed()).isEqualTo(1);
        assertThat(boundMembers(sw)).extracting(SwitchMembers.Member::port).containsExactly(port.value());
    }

    /**
     * A copy resent after a member's removal lands behind its first attempt in a busy port's queue, with other
     * requests in between: it is answered DUPLICATE at once, however many were queued (the port remembers ids when it
     * queues them, by age, not the last few), and the first attempt gets the real answer.
     */
    @Test
    void aCopyOfAQueuedRequestIsAnsweredDuplicateAtOnceAndItsFirstAttemptGetsTheAnswer() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.31.1");
        PortId port = newPort(sw, "52:54:00:09:31:01");
        FlakyHost.faults(host.value()).bindAnswersToLose.set(1); // busy: the ask times out (1 s), then the rollback
        var ref = sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, port.value());
        Duration wait = Duration.ofSeconds(10);
        CompletionStage<PortProtocol.Outcome> busy =
                ref.askWithStatus(r -> new PortProtocol.Bind(host, false, "bind-" + port, r), wait);
        CompletionStage<PortProtocol.Outcome> first =
                ref.askWithStatus(r -> new PortProtocol.Unbind(false, "unbind-" + port, r), wait);
        List<CompletionStage<PortProtocol.Outcome>> between = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) { // more requests with ids between than any count bound would keep
            String id = "other-" + i + "-" + port;
            between.add(ref.askWithStatus(r -> new PortProtocol.Unbind(false, id, r), wait));
        }
        CompletionStage<PortProtocol.Outcome> copy =
                ref.askWithStatus(r -> new PortProtocol.Unbind(false, "unbind-" + port, r), wait);

        try {
            copy.toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("the copy was run");
        } catch (ExecutionException e) {
            assertThat(io.portmesh.sharding.Errors.is(e.getCause(), io.portmesh.sharding.EntityError.Kind.DUPLICATE))
                    .as("answered %s", e.getCause())
                    .isTrue();
        }
        assertThat(first.toCompletableFuture().isDone())
                .as("the copy was answered while its first attempt still waited")
                .isFalse();
        assertThat(failure(busy)).hasMessageContaining("not applied");
        assertThat(first.toCompletableFuture().get(10, TimeUnit.SECONDS).host())
                .as("the first attempt ran: the port is unbound")
                .isNull();
        for (CompletionStage<PortProtocol.Outcome> other : between) { // all answered: the port is idle again
            assertThat(await(other).host()).isNull();
        }
    }

    @Test
    void aPortRestartedWhileItsHostWasBindingItRollsTheBindingBackWhenItRecovers() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.2.1");
        String portId = "p-restarted-" + ids.incrementAndGet();
        var kit = portKit(portId);
        var created = kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:09:02:01"), List.of(), null, r));
        assertThat(created.reply().isSuccess()).isTrue();

        // the host binds the port, then the port's node dies before the answer arrives
        FlakyHost.faults(host.value()).bindAnswersToLose.set(1);
        kit.runCommand(new PortProtocol.Bind(
                host,
                false,
                testKit.<StatusReply<PortProtocol.Outcome>>createTestProbe().ref()));
        eventually(() -> assertThat(await(svc.getHost(host)).vlansUsed()).isEqualTo(1));
        kit.restart();

        eventually(() -> assertThat(await(svc.getHost(host)).vlansUsed()).isZero());
        assertThat(kit.getState().isBound()).isFalse();
        var bound = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Bind(host, false, r));
        assertThat(bound.reply().getValue().vlan()).isEqualTo(1);
    }

    @Test
    void anUnbindWhoseAnswerIsLostCompletesAndTheSwitchLearnsIt() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.3.1");
        HostId peerHost = newHost("10.9.3.2");
        PortId port = newPort(sw, "52:54:00:09:03:01");
        PortId peer = newPort(sw, "52:54:00:09:03:02");
        await(svc.bindPort(port, host, false));
        await(svc.bindPort(peer, peerHost, false));
        FlakyHost.Faults faults = FlakyHost.faults(host.value());
        faults.unbindAnswersToLose.set(1);

        await(svc.unbindPort(port, false)); // asked again within the time the client waits

        assertThat(faults.unbindsAsked.get()).isEqualTo(2);
        assertThat(await(svc.getPort(port)).state()).isEqualTo(PortState.UNBOUND);
        assertThat(await(svc.getHost(host)).vlansUsed()).isZero();
        assertThat(boundMembers(sw)).extracting(SwitchMembers.Member::port).containsExactly(peer.value());
    }

    @Test
    void anUnbindThatOutlastsTheClientIsAnsweredThatItWillCompleteAndCompletes() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.4.1");
        PortId port = newPort(sw, "52:54:00:09:04:01");
        await(svc.bindPort(port, host, false));
        FlakyHost.faults(host.value()).unbindAnswersToLose.set(3);

        Throwable e = failure(svc.unbindPort(port, false));
        assertThat(e).isInstanceOf(UnavailableException.class).hasMessageContaining("will complete");

        eventually(() -> assertThat(boundMembers(sw)).isEmpty());
        assertThat(await(svc.getPort(port)).state()).isEqualTo(PortState.UNBOUND);
        assertThat(await(svc.getHost(host)).vlansUsed()).isZero();
    }

    @Test
    void aPortRestartedWhileItsHostWasUnbindingItCompletesTheUnbindingWhenItRecovers() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.5.1");
        String portId = "p-restarted-" + ids.incrementAndGet();
        var kit = portKit(portId);
        kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:09:05:01"), List.of(), null, r));
        kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Bind(host, false, r));
        assertThat(boundMembers(sw)).extracting(SwitchMembers.Member::port).containsExactly(portId);

        // the host unbinds the port, then the port's node dies before the answer arrives
        FlakyHost.faults(host.value()).unbindAnswersToLose.set(1);
        kit.runCommand(new PortProtocol.Unbind(
                false,
                testKit.<StatusReply<PortProtocol.Outcome>>createTestProbe().ref()));
        eventually(() -> assertThat(await(svc.getHost(host)).vlansUsed()).isZero());
        kit.restart();

        eventually(() -> assertThat(boundMembers(sw)).isEmpty());
        assertThat(kit.getState().isBound()).isFalse();
    }

    @Test
    void requestsWaitForARollbackAndBeyondTheBoundAreRefused() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.7.1");
        PortId port = newPort(sw, "52:54:00:09:07:01");
        FlakyHost.Faults faults = FlakyHost.faults(host.value());
        faults.bindAnswersToLose.set(1);
        faults.unbindAnswersToLose.set(1_000); // the rollback goes on until the test lets the host answer
        assertThat(failure(svc.bindPort(port, host, false))).hasMessageContaining("not applied");

        var ref = sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, port.value());
        var waiting = testKit.<StatusReply<Boolean>>createTestProbe();
        for (int i = 0; i < LogicalPortEntity.MAX_WAITING; i++) {
            ref.tell(new PortProtocol.Exists(waiting.ref()));
        }
        var refused = testKit.<StatusReply<Boolean>>createTestProbe();
        ref.tell(new PortProtocol.Exists(refused.ref()));
        assertThat(Errors.toException(
                        refused.receiveMessage(Duration.ofSeconds(5)).getError()))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("waiting");
        waiting.expectNoMessage(Duration.ofMillis(300));

        faults.unbindAnswersToLose.set(0);
        for (int i = 0; i < LogicalPortEntity.MAX_WAITING; i++) {
            assertThat(waiting.receiveMessage(Duration.ofSeconds(10)).getValue())
                    .isTrue();
        }
        assertThat(await(svc.getHost(host)).vlansUsed()).isZero();
    }

    @Test
    void aRetriedUnbindWaitsForTheHostThePortLeftAsWellAsForThePeers() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.8.1");
        HostId peerHost = newHost("10.9.8.2");
        PortId port = newPort(sw, "52:54:00:09:08:01");
        PortId peer = newPort(sw, "52:54:00:09:08:02");
        await(svc.bindPort(port, host, false));
        await(svc.bindPort(peer, peerHost, false));
        // the switch persists the unbinding, but the peer's host does not answer it (through its node if the switch
        // asks that way, and directly)
        FlakyHost.Faults peerFaults = FlakyHost.faults(peerHost.value());
        peerFaults.memberAnswersToLose.set(2);

        assertThat(failure(svc.unbindPort(port, true))).isInstanceOf(UnavailableException.class);
        peerFaults.memberAnswersToLose.set(0); // the peer's host answers again

        // retried: no agent is connected anywhere, so every host the answer waits for is behind
        Realization r = await(svc.unbindPort(port, true));
        assertThat(r.realized()).isFalse();
        assertThat(r.pendingHosts()).containsExactlyInAnyOrder(host.value(), peerHost.value());
    }

    @Test
    void aRetriedDeleteWaitsForTheHostsThatMayStillSendToThePort() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.9.1");
        HostId peerHost = newHost("10.9.9.2");
        PortId port = newPort(sw, "52:54:00:09:09:01");
        PortId peer = newPort(sw, "52:54:00:09:09:02");
        await(svc.bindPort(port, host, false));
        await(svc.bindPort(peer, peerHost, false));
        // the host unbinds the port, the switch persists the unbinding, but the peer's host does not answer it
        FlakyHost.Faults peerFaults = FlakyHost.faults(peerHost.value());
        peerFaults.memberAnswersToLose.set(2);

        assertThat(failure(svc.deletePort(port, true))).isInstanceOf(UnavailableException.class);
        peerFaults.memberAnswersToLose.set(0); // the peer's host answers again
        assertThat(await(svc.getPort(port)).state()).isEqualTo(PortState.UNBOUND);

        // retried: the peer's host may still tunnel to the port, and the host it left may still hold its flows
        Realization r = await(svc.deletePort(port, true));
        assertThat(r.realized()).isFalse();
        assertThat(r.pendingHosts()).containsExactlyInAnyOrder(host.value(), peerHost.value());
        assertThat(failure(svc.getPort(port))).isInstanceOf(NotFoundException.class);
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(peer.value());
    }

    @Test
    void aPortRecoveredBoundTellsItsSwitchItsBindingAgain() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.6.1");
        String portId = "p-recovered-" + ids.incrementAndGet();
        String mac = "52:54:00:09:06:01";
        // the port persisted Bound, then its node died before the switch heard of the binding
        int vni = await(sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw.value())
                .<Integer>askWithStatus(r -> new SwitchProtocol.AddPort(PortId.of(portId), Mac.parse(mac), r), ASK));
        HostProtocol.Bound bound = await(sharding.entityRefFor(HostEntity.TYPE_KEY, host.value())
                .<HostProtocol.Bound>askWithStatus(
                        r -> new HostProtocol.BindPort(
                                PortId.of(portId), Mac.parse(mac), SwitchId.of(sw.value()), new Vni(vni), r),
                        ASK));
        PersistenceTestKit.create(testKit.system())
                .persistForRecovery(
                        "LogicalPort|" + portId,
                        List.of(
                                new LogicalPortEntity.Created(sw.value(), vni, mac, List.of(), null),
                                new LogicalPortEntity.Bound(
                                        host.value(),
                                        bound.vlan().value(),
                                        bound.tunnelIp().toString())));
        assertThat(boundMembers(sw)).isEmpty();

        assertThat(await(svc.getPort(PortId.of(portId))).host()).isEqualTo(host.value()); // starts the port

        eventually(() -> assertThat(boundMembers(sw))
                .extracting(SwitchMembers.Member::port, SwitchMembers.Member::host)
                .containsExactly(tuple(portId, host.value())));
    }

    @Test
    void aDeleteWhoseSwitchDidNotAnswerStaysUnderWayRefusesABindAndARepeatedDeleteFinishesIt() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.10.1");
        PortId port = newPort(sw, "52:54:00:09:0a:01");
        removeAnswersToLose(sw.value()).set(1);

        assertThat(failure(svc.deletePort(port, false))).isInstanceOf(UnavailableException.class);
        assertThat(await(svc.getSwitch(sw)).ports())
                .as("the switch let the port go")
                .isEmpty();
        assertThat(await(svc.getPort(port)).state()).isEqualTo(PortState.UNBOUND);

        // bound now, it would have a VLAN and local flows that no switch knows of
        assertThat(failure(svc.bindPort(port, host, false)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("being deleted");
        assertThat(await(svc.getHost(host)).vlansUsed()).isZero();

        await(svc.deletePort(port, false));
        assertThat(failure(svc.getPort(port))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aPortRestartedAfterItsSwitchLetItGoFinishesItsDeletionWhenItRecovers() throws Exception {
        SwitchId sw = newSwitch();
        String portId = "p-leaving-" + ids.incrementAndGet();
        var kit = portKit(portId);
        kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:09:0b:01"), List.of(), null, r));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(portId);

        // the switch removes the member, then the port's node dies before the answer arrives
        removeAnswersToLose(sw.value()).set(1);
        kit.runCommand(new PortProtocol.Delete(
                false,
                testKit.<StatusReply<PortProtocol.Outcome>>createTestProbe().ref()));
        eventually(() -> assertThat(await(svc.getSwitch(sw)).ports()).isEmpty());
        kit.restart();

        eventually(() -> assertThat(kit.getState().exists()).isFalse());
    }

    @Test
    void aPortThatStartsAgainDoesNotHaveEveryHostToldAgainWhenTheSwitchKnowsTheyAllHoldItsBinding() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.9.11.1");
        HostId peerHost = newHost("10.9.11.2");
        PortId peer = newPort(sw, "52:54:00:09:0c:02");
        await(svc.bindPort(peer, peerHost, false));
        String portId = "p-started-again-" + ids.incrementAndGet();
        var kit = portKit(portId);
        kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:09:0c:01"), List.of(), null, r));
        var bound = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Bind(host, false, r));
        assertThat(bound.reply().isSuccess()).isTrue();
        FlakyHost.Faults peerFaults = FlakyHost.faults(peerHost.value());
        int told = peerFaults.memberChangesTold.get();

        kit.restart(); // as after passivation, a rebalance, or its node's loss
        // Exists waits for a change in progress: when it answers, the port's start is over
        assertThat(kit.<StatusReply<Boolean>>runCommand(PortProtocol.Exists::new)
                        .reply()
                        .getValue())
                .isTrue();
        assertThat(peerFaults.memberChangesTold.get())
                .as("changes told to the peer's host")
                .isEqualTo(told);
        assertThat(boundMembers(sw))
                .extracting(SwitchMembers.Member::port)
                .containsExactlyInAnyOrder(peer.value(), portId);
    }

    /** Per switch id, how many of its next answers to RemovePort are lost (the switch removed the member). */
    private static final Map<String, AtomicInteger> REMOVE_ANSWERS_TO_LOSE = new ConcurrentHashMap<>();

    private static AtomicInteger removeAnswersToLose(String switchId) {
        return REMOVE_ANSWERS_TO_LOSE.computeIfAbsent(switchId, id -> new AtomicInteger());
    }

    /** The real switch as a child, whose answers to RemovePort are lost as {@link #removeAnswersToLose} says. */
    private static Behavior<SwitchProtocol.Command> flakySwitch(String id, LogicalSwitchEntity.HostNotifier notifier) {
        return Behaviors.setup(ctx -> {
            ActorRef<SwitchProtocol.Command> real =
                    ctx.spawn(LogicalSwitchEntity.create(id, sharding, notifier, ASK, REALIZE), "real");
            AtomicInteger toLose = removeAnswersToLose(id);
            return Behaviors.receiveMessage(c -> {
                if (c instanceof SwitchProtocol.RemovePort r && toLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    real.tell(new SwitchProtocol.RemovePort(
                            r.port(), ctx.getSystem().ignoreRef()));
                } else {
                    real.tell(c);
                }
                return Behaviors.same();
            });
        });
    }

    /** A port entity that a test can restart (not through sharding: one incarnation of each port at a time). */
    private static EventSourcedBehaviorTestKit<PortProtocol.Command, LogicalPortEntity.Event, PortState> portKit(
            String id) {
        return EventSourcedBehaviorTestKit.create(
                testKit.system(), LogicalPortEntity.create(id, sharding, ASK, REALIZE));
    }

    private static List<SwitchMembers.Member> boundMembers(SwitchId sw) throws Exception {
        return await(sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw.value())
                        .<SwitchMembers>askWithStatus(SwitchProtocol.GetMembers::new, ASK))
                .members();
    }

    private static SwitchId newSwitch() throws Exception {
        SwitchId sw = SwitchId.of("sw-" + ids.incrementAndGet());
        await(setup.createSwitch(sw, Optional.empty()));
        return sw;
    }

    private static HostId newHost(String tunnelIp) throws Exception {
        HostId h = HostId.of("esx-" + ids.incrementAndGet());
        await(setup.createHost(h, Ipv4.parse(tunnelIp)));
        return h;
    }

    private static PortId newPort(SwitchId sw, String mac) throws Exception {
        return PortId.of(await(setup.createPort(sw, Mac.parse(mac), List.of(), Optional.empty()))
                .id());
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** The exception a stage failed with, unwrapped from the future's wrappers. */
    private static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            Object v = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            for (int i = 0; i < 4 && t instanceof CompletionException && t.getCause() != null; i++) {
                t = t.getCause();
            }
            return t;
        }
    }
}
