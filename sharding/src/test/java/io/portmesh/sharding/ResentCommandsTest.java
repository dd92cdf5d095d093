package io.portmesh.sharding;

import static io.portmesh.sharding.ServiceCalls.await;
import static io.portmesh.sharding.ServiceCalls.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.SwitchId;
import io.portmesh.model.Vni;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.host.HostState;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.lswitch.SwitchState;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortChange;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.service.SwitchInfo;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every command the API resends when a cluster member is removed while it waits (AskResender; docs/architecture.md
 * 7.3), sent twice to its entity: the duplicate gets the answer the first got and writes nothing more. For the port's
 * changes the duplicate also comes while the first is still running (the resend of an ask whose first did arrive),
 * and waits for it. One node, every entity type sharded on the in-memory journal.
 */
class ResentCommandsTest {
    private static final Duration ASK = Duration.ofSeconds(5);
    private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final AtomicInteger ids = new AtomicInteger();
    private static ShardedNetworkService svc;
    private static PersistenceTestKit journal;

    @BeforeAll
    static void start() {
        EntityTestKits.startEntities(testKit.system(), ASK, Duration.ofSeconds(2));
        svc = new ShardedNetworkService(testKit.system(), new TopologyView(), ASK, Duration.ofSeconds(2));
        journal = PersistenceTestKit.create(testKit.system());
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aPortCreateSentTwiceMeanwhileAndAfterAnswersTheSamePortAndIsCreatedOnce() throws Exception {
        SwitchId sw = newSwitch();
        String id = "p-" + ids.incrementAndGet();
        Mac mac = Mac.parse("52:54:00:18:00:01");
        List<Ipv4> ips = List.of(Ipv4.parse("192.168.18.1"));
        Function<ActorRef<StatusReply<PortInfo>>, PortProtocol.Command> create =
                r -> new PortProtocol.Create(sw, mac, ips, "vm", r);

        CompletionStage<PortInfo> first = port(id, create);
        CompletionStage<PortInfo> meanwhile = port(id, create); // waits in the stash while the first joins the switch
        assertThat(await(meanwhile)).isEqualTo(await(first));
        assertThat(await(port(id, create))).isEqualTo(await(first));
        assertThat(eventsOf("LogicalPort|" + id)).containsExactly(LogicalPortEntity.Created.class);
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(id);

        // another content under the same id is not a duplicate: refused, as before
        assertThat(failure(ResentCommandsTest.<PortInfo>port(
                        id, r -> new PortProtocol.Create(sw, mac, List.of(), "vm", r))))
                .isInstanceOf(ConflictException.class);
        assertThat(failure(
                        ResentCommandsTest.<PortInfo>port(id, r -> new PortProtocol.Create(sw, mac, ips, "other", r))))
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aBindSentTwiceMeanwhileAndAfterAnswersTheSameVlanAndBindsOnce() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.18.0.1");
        String id = newPort(sw, "52:54:00:18:00:02");
        var bind = bind(host, null);

        CompletionStage<PortProtocol.Outcome> first = port(id, bind);
        CompletionStage<PortProtocol.Outcome> meanwhile = port(id, bind);
        assertThat(await(first).vlan()).isEqualTo(1);
        assertThat(await(meanwhile).vlan()).isEqualTo(1);
        assertThat(await(port(id, bind)).vlan()).isEqualTo(1);
        assertThat(eventsOf("LogicalPort|" + id))
                .containsExactly(
                        LogicalPortEntity.Created.class,
                        LogicalPortEntity.ChangeStarted.class,
                        LogicalPortEntity.Bound.class);
        assertThat(await(svc.getHost(host)).vlansUsed()).isEqualTo(1);
    }

    @Test
    void anUnbindSentTwiceMeanwhileAndAfterAnswersAndUnbindsOnce() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.18.0.2");
        String id = newPort(sw, "52:54:00:18:00:03");
        await(port(id, bind(host, null)));
        var unbind = unbind(null);

        CompletionStage<PortProtocol.Outcome> first = port(id, unbind);
        CompletionStage<PortProtocol.Outcome> meanwhile = port(id, unbind);
        await(first);
        await(meanwhile);
        await(port(id, unbind));
        assertBoundOnceThenUnboundOnce(id, host);
    }

    @Test
    void aCopiedBindWhoseFirstAttemptWasAnsweredIsNotRunAgainAfterAnotherClientsUnbind() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.18.0.4");
        String id = newPort(sw, "52:54:00:18:00:04");
        var bind = bind(host, "bind-" + id);
        assertThat(await(port(id, bind)).vlan()).isEqualTo(1);
        await(port(id, unbind("unbind-" + id))); // another client's change

        // the copy of the first Bind (its resend after a member's removal) comes after: not run again
        assertDuplicate(port(id, bind));
        assertBoundOnceThenUnboundOnce(id, host);
    }

    @Test
    void aCopyThatComesWhileItsFirstAttemptRunsWaitsAndIsAnsweredDuplicateWhileTheFirstGetsTheOutcome()
            throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.18.0.5");
        String id = newPort(sw, "52:54:00:18:00:05");
        var bind = bind(host, "bind-" + id);
        CompletionStage<PortProtocol.Outcome> first = port(id, bind);
        CompletionStage<PortProtocol.Outcome> copy = port(id, bind);
        assertThat(await(first).vlan()).isEqualTo(1);
        assertDuplicate(copy);
        assertThat(eventsOf("LogicalPort|" + id))
                .containsExactly(
                        LogicalPortEntity.Created.class,
                        LogicalPortEntity.ChangeStarted.class,
                        LogicalPortEntity.Bound.class);
    }

    @Test
    void aCopiedDeleteDoesNotDeleteThePortCreatedAgainUnderItsId() throws Exception {
        SwitchId sw = newSwitch();
        String id = "p-resent-" + ids.incrementAndGet();
        Mac mac = Mac.parse("52:54:00:18:00:06");
        await(ResentCommandsTest.<PortInfo>port(
                id, r -> new PortProtocol.Create(sw, mac, List.of(), "vm", "create-1-" + id, r)));
        Function<ActorRef<StatusReply<PortProtocol.Outcome>>, PortProtocol.Command> delete =
                r -> new PortProtocol.Delete(false, "delete-" + id, r);
        await(port(id, delete));
        await(ResentCommandsTest.<PortInfo>port(
                id, r -> new PortProtocol.Create(sw, mac, List.of(), "vm", "create-2-" + id, r)));

        assertDuplicate(port(id, delete));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(id);
        // and the first Create's copy does not answer the port of the second as its own
        assertDuplicate(ResentCommandsTest.<PortInfo>port(
                id, r -> new PortProtocol.Create(sw, mac, List.of(), "vm", "create-1-" + id, r)));
    }

    @Test
    void aNewIncarnationKnowsTheRequestIdsItsChangesPersisted() throws Exception {
        // the journal of a port whose node died: a new incarnation starts from it when the copy comes
        String id = "resent-" + ids.incrementAndGet();
        journal.persistForRecovery(
                "LogicalPort|" + id,
                List.of(
                        new LogicalPortEntity.Created("sw-gone", 5000, "52:54:00:18:00:07", List.of(), null, "c-1"),
                        new LogicalPortEntity.ChangeStarted(new PortChange.BindTo("esx-x"), "b-1"),
                        new LogicalPortEntity.Bound("esx-x", 7, "10.18.0.7")));
        assertDuplicate(port(id, bind(HostId.of("esx-y"), "b-1")));
        PortInfo info = await(port(id, PortProtocol.Get::new));
        assertThat(info.host()).isEqualTo("esx-x");
        assertThat(eventsOf("LogicalPort|" + id)).hasSize(3);
    }

    @Test
    void aSwitchCreateSentTwiceAnswersTheSameSwitchAndWritesOnce() {
        EventSourcedBehaviorTestKit<SwitchProtocol.Command, LogicalSwitchEntity.Event, SwitchState> kit =
                EventSourcedBehaviorTestKit.create(
                        testKit.system(),
                        LogicalSwitchEntity.create(
                                "resent-" + ids.incrementAndGet(),
                                ClusterSharding.get(testKit.system()),
                                (update, hosts, await, timeout) -> CompletableFuture.completedFuture(Map.of()),
                                ASK,
                                ASK));
        var first = kit.<StatusReply<SwitchInfo>>runCommand(r -> new SwitchProtocol.Create(new Vni(4711), r));
        var again = kit.<StatusReply<SwitchInfo>>runCommand(r -> new SwitchProtocol.Create(new Vni(4711), r));
        assertThat(first.events()).hasSize(1);
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().getValue()).isEqualTo(first.reply().getValue());
    }

    @Test
    void aVniClaimSentTwiceAnswersTheSameVniAndWritesOnce() {
        var kit =
                EventSourcedBehaviorTestKit
                        .<VniRegistryEntity.Command, VniRegistryEntity.Event, VniRegistryEntity.State>create(
                                testKit.system(), VniRegistryEntity.create("resent-" + ids.incrementAndGet()));
        var first = kit.<StatusReply<Integer>>runCommand(r -> new VniRegistryEntity.Claim("blue", 0, r));
        var again = kit.<StatusReply<Integer>>runCommand(r -> new VniRegistryEntity.Claim("blue", 0, r));
        assertThat(first.events()).hasSize(1);
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().getValue()).isEqualTo(first.reply().getValue());
    }

    @Test
    void aTunnelIpClaimSentTwiceIsAcknowledgedTwiceAndWritesOnce() {
        var kit =
                EventSourcedBehaviorTestKit
                        .<TunnelIpRegistryEntity.Command, TunnelIpRegistryEntity.Event, TunnelIpRegistryEntity.State>
                                create(
                                        testKit.system(),
                                        TunnelIpRegistryEntity.create("resent-" + ids.incrementAndGet()));
        var first = kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                r -> new TunnelIpRegistryEntity.Claim("esx-1", "10.18.1.1", r));
        var again = kit.<StatusReply<org.apache.pekko.Done>>runCommand(
                r -> new TunnelIpRegistryEntity.Claim("esx-1", "10.18.1.1", r));
        assertThat(first.events()).hasSize(1);
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().isSuccess()).isTrue();
    }

    @Test
    void aHostRegisterSentTwiceAnswersTheSameHostAndWritesOnce() {
        EventSourcedBehaviorTestKit<HostProtocol.Command, HostEntity.Event, HostState> kit =
                EventSourcedBehaviorTestKit.create(
                        testKit.system(),
                        HostEntity.create(
                                "resent-" + ids.incrementAndGet(),
                                "pekko://test@127.0.0.1:1",
                                ASK,
                                sw -> new CompletableFuture<>()));
        var first = kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.18.2.1"), r));
        var again = kit.<StatusReply<HostInfo>>runCommand(r -> new HostProtocol.Register(Ipv4.parse("10.18.2.1"), r));
        assertThat(first.events()).hasSize(1);
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().getValue()).isEqualTo(first.reply().getValue());
    }

    /** The port's journal holds one binding and one unbinding, and the port is unbound, its VLAN released. */
    private static void assertBoundOnceThenUnboundOnce(String id, HostId host) throws Exception {
        assertThat(eventsOf("LogicalPort|" + id))
                .containsExactly(
                        LogicalPortEntity.Created.class,
                        LogicalPortEntity.ChangeStarted.class,
                        LogicalPortEntity.Bound.class,
                        LogicalPortEntity.ChangeStarted.class,
                        LogicalPortEntity.Unbound.class);
        assertThat(await(svc.getHost(host)).vlansUsed()).isZero();
        // nothing pending after the duplicates
        assertThat(await(svc.getPort(io.portmesh.model.PortId.of(id))).host()).isNull();
    }

    /** The port answered the copy DUPLICATE (not run again); the API would map it to 503 "may have been applied". */
    private static void assertDuplicate(CompletionStage<?> copy) throws Exception {
        try {
            Object v = copy.toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
            throw new AssertionError("expected DUPLICATE, got " + v);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(Errors.is(e.getCause(), EntityError.Kind.DUPLICATE))
                    .as("answered %s", e.getCause())
                    .isTrue();
        }
    }

    /** Bind to {@code host}, not waiting for the flows; {@code requestId} null: a command with no request id. */
    private static Function<ActorRef<StatusReply<PortProtocol.Outcome>>, PortProtocol.Command> bind(
            HostId host, String requestId) {
        return r -> new PortProtocol.Bind(host, false, requestId, r);
    }

    /** Unbind, not waiting for the flows; {@code requestId} null: a command with no request id. */
    private static Function<ActorRef<StatusReply<PortProtocol.Outcome>>, PortProtocol.Command> unbind(
            String requestId) {
        return r -> new PortProtocol.Unbind(false, requestId, r);
    }

    private static <R> CompletionStage<R> port(
            String id, Function<ActorRef<StatusReply<R>>, PortProtocol.Command> message) {
        return ClusterSharding.get(testKit.system())
                .entityRefFor(LogicalPortEntity.TYPE_KEY, id)
                .askWithStatus(message::apply, ASK);
    }

    private static List<Class<?>> eventsOf(String persistenceId) {
        return journal.persistedInStorage(persistenceId).stream()
                .<Class<?>>map(Object::getClass)
                .toList();
    }

    private static String newPort(SwitchId sw, String mac) throws Exception {
        return await(svc.createPort(sw, Mac.parse(mac), List.of(), Optional.empty()))
                .id();
    }

    private static SwitchId newSwitch() throws Exception {
        return ServiceCalls.newSwitch(svc, "sw-resent-" + ids.incrementAndGet());
    }

    private static HostId newHost(String tunnelIp) throws Exception {
        return ServiceCalls.newHost(svc, "esx-resent-" + ids.incrementAndGet(), tunnelIp);
    }
}
