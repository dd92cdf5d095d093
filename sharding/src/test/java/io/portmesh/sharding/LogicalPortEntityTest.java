package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.model.Vni;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortChange;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.port.PortState;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.service.SwitchInfo;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The port is the entity that asks the others, so it runs on a one-node cluster with every entity type sharded on
 * the in-memory journal. The read-side projection needs Cassandra, so listings come from an empty view; these tests
 * read entities directly.
 */
class LogicalPortEntityTest {
    private static final Duration ASK = Duration.ofSeconds(5);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static final AtomicInteger ids = new AtomicInteger();
    private static NetworkService svc;

    @BeforeAll
    static void joinAndStartSharding() {
        var system = testKit.system();
        EntityTestKits.startEntities(system, ASK, Duration.ofSeconds(2));
        svc = new ShardedNetworkService(system, new TopologyView(), ASK, Duration.ofSeconds(2));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void anUnknownPortIsNotFoundForEveryCommandAndGetsNoEvent() {
        var kit = portKit("ghost-" + ids.incrementAndGet());
        var get = kit.<StatusReply<PortInfo>>runCommand(PortProtocol.Get::new);
        assertThat(Errors.toException(get.reply().getError())).isInstanceOf(NotFoundException.class);
        var bind = kit.<StatusReply<PortProtocol.Outcome>>runCommand(
                r -> new PortProtocol.Bind(HostId.of("esx"), false, r));
        assertThat(bind.hasNoEvents()).isTrue();
        assertThat(Errors.toException(bind.reply().getError())).isInstanceOf(NotFoundException.class);
        var unbind = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Unbind(false, r));
        assertThat(Errors.toException(unbind.reply().getError())).isInstanceOf(NotFoundException.class);
        var delete = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Delete(false, r));
        assertThat(delete.hasNoEvents()).isTrue();
        assertThat(Errors.toException(delete.reply().getError())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void createJoinsTheShardedSwitchAndIsRefusedWithoutEventWhenTheSwitchRefuses() throws Exception {
        String sw = "sw-" + ids.incrementAndGet();
        int vni = await(svc.createSwitch(SwitchId.of(sw), Optional.empty())).vni();
        String portId = "p-" + ids.incrementAndGet();
        var kit = portKit(portId);

        var created = kit.<StatusReply<PortInfo>>runCommand(r -> new PortProtocol.Create(
                SwitchId.of(sw), Mac.parse("52:54:00:00:00:01"), List.of(Ipv4.parse("10.0.0.1")), "vm1", r));
        assertThat(created.event())
                .isEqualTo(new LogicalPortEntity.Created(sw, vni, "52:54:00:00:00:01", List.of("10.0.0.1"), "vm1"));
        assertThat(created.reply().getValue())
                .isEqualTo(new PortInfo(
                        portId, sw, "vm1", "52:54:00:00:00:01", List.of("10.0.0.1"), null, null, PortState.UNBOUND));
        assertThat(await(svc.getSwitch(SwitchId.of(sw))).ports()).containsExactly(portId);

        // a retried create is answered from the state; another switch or MAC for the same id is a conflict
        var retried = kit.<StatusReply<PortInfo>>runCommand(r -> new PortProtocol.Create(
                SwitchId.of(sw), Mac.parse("52:54:00:00:00:01"), List.of(Ipv4.parse("10.0.0.1")), "vm1", r));
        assertThat(retried.hasNoEvents()).isTrue();
        assertThat(retried.reply().isSuccess()).isTrue();
        var other = kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(SwitchId.of(sw), Mac.parse("52:54:00:00:00:09"), List.of(), null, r));
        assertThat(Errors.toException(other.reply().getError())).isInstanceOf(ConflictException.class);

        // a duplicate MAC (compared case-insensitively) is refused naming the field and the port that has it
        PortInfo owner =
                await(svc.createPort(SwitchId.of(sw), Mac.parse("52:54:00:00:00:05"), List.of(), Optional.empty()));
        var dupMac = portKit("p-" + ids.incrementAndGet())
                .<StatusReply<PortInfo>>runCommand(r -> new PortProtocol.Create(
                        SwitchId.of(sw), Mac.parse("52:54:00:00:00:05".toUpperCase()), List.of(), null, r));
        assertThat(dupMac.hasNoEvents()).isTrue();
        Throwable e = Errors.toException(dupMac.reply().getError());
        assertThat(e)
                .isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("mac: ")
                .hasMessageContaining(owner.id());

        var noSwitch = portKit("p-" + ids.incrementAndGet())
                .<StatusReply<PortInfo>>runCommand(r -> new PortProtocol.Create(
                        SwitchId.of("no-such-switch"), Mac.parse("52:54:00:00:00:02"), List.of(), null, r));
        assertThat(noSwitch.hasNoEvents()).isTrue();
        assertThat(Errors.toException(noSwitch.reply().getError())).isInstanceOf(NotFoundException.class);
        assertThat(await(svc.getSwitch(SwitchId.of(sw))).ports()).containsExactlyInAnyOrder(portId, owner.id());
    }

    @Test
    void aSwitchMemberWhosePortWasNeverCreatedDoesNotKeepItsMacTaken() throws Exception {
        SwitchId sw = newSwitch();
        String mac = "52:54:00:00:0a:01";
        // the switch added the member, then the port's node died before the port persisted Created
        String ghost = "p-ghost-" + ids.incrementAndGet();
        int vni = await(org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(testKit.system())
                .entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw.value())
                .<Integer>askWithStatus(r -> new SwitchProtocol.AddPort(PortId.of(ghost), Mac.parse(mac), r), ASK));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(ghost);

        PortInfo real = await(svc.createPort(sw, Mac.parse(mac), List.of(), Optional.empty()));
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(real.id()); // the ghost is gone
        assertThat(await(svc.getSwitch(sw)).vni()).isEqualTo(vni);

        // a port that does exist keeps its MAC
        Throwable e = failure(svc.createPort(sw, Mac.parse(mac), List.of(), Optional.empty()));
        assertThat(e).isInstanceOf(ConflictException.class).hasMessageContaining(real.id());
    }

    @Test
    void createBindUnbindAndDeleteThroughTheService() throws Exception {
        SwitchId sw = newSwitch();
        HostId a = newHost("10.1.0.1");
        HostId b = newHost("10.1.0.2");
        PortInfo p1 = await(svc.createPort(sw, Mac.parse("52:54:00:00:01:01"), List.of(), Optional.of("vm1")));
        PortInfo p2 = await(svc.createPort(sw, Mac.parse("52:54:00:00:01:02"), List.of(), Optional.empty()));
        assertThat(p1.state()).isEqualTo(PortState.UNBOUND);
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactlyInAnyOrder(p1.id(), p2.id());

        BindingResult b1 = await(svc.bindPort(PortId.of(p1.id()), a, false));
        assertThat(b1.vlan()).isEqualTo(1);
        assertThat(await(svc.bindPort(PortId.of(p2.id()), b, false)).vlan()).isEqualTo(1);
        PortInfo bound = await(svc.getPort(PortId.of(p1.id())));
        assertThat(bound.state()).isEqualTo(PortState.BOUND);
        assertThat(bound.host()).isEqualTo(a.value());
        assertThat(bound.vlan()).isEqualTo(1);
        assertThat(await(svc.getHost(a)).vlansUsed()).isEqualTo(1);
        // each host now carries a flow towards the other host's port of the same switch
        assertThat(await(svc.getHost(a)).flowsDesired()).isGreaterThan(0);
        int flowsWithPeer = await(svc.getHost(a)).flowsDesired();

        // binding again to the same host is idempotent: same VLAN, nothing new allocated
        assertThat(await(svc.bindPort(PortId.of(p1.id()), a, false)).vlan()).isEqualTo(1);
        assertThat(await(svc.getHost(a)).vlansUsed()).isEqualTo(1);

        await(svc.unbindPort(PortId.of(p2.id()), false));
        PortInfo unbound = await(svc.getPort(PortId.of(p2.id())));
        assertThat(unbound.state()).isEqualTo(PortState.UNBOUND);
        assertThat(unbound.host()).isNull();
        assertThat(unbound.vlan()).isNull();
        assertThat(await(svc.getHost(b)).vlansUsed()).isZero();
        assertThat(await(svc.getHost(a)).flowsDesired())
                .as("host a forgot the unbound peer")
                .isLessThan(flowsWithPeer);

        // deleting a bound port unbinds it first and frees its VLAN
        await(svc.deletePort(PortId.of(p1.id()), false));
        assertThat(failure(svc.getPort(PortId.of(p1.id())))).isInstanceOf(NotFoundException.class);
        assertThat(await(svc.getHost(a)).vlansUsed()).isZero();
        assertThat(await(svc.getSwitch(sw)).ports()).containsExactly(p2.id());

        assertThat(failure(svc.deleteSwitch(sw))).isInstanceOf(ConflictException.class);
        await(svc.deletePort(PortId.of(p2.id()), false));
        await(svc.deleteSwitch(sw));
        assertThat(failure(svc.getSwitch(sw))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void bindingToAnUnknownHostIsRefusedNamingHostAndThePortStaysUnbound() throws Exception {
        SwitchId sw = newSwitch();
        PortInfo p = await(svc.createPort(sw, Mac.parse("52:54:00:00:02:01"), List.of(), Optional.empty()));
        HostId unknown = HostId.of("unregistered-" + ids.incrementAndGet());

        Throwable e = failure(svc.bindPort(PortId.of(p.id()), unknown, false));
        assertThat(e).isInstanceOf(ValidationException.class);
        assertThat(((ValidationException) e).field()).isEqualTo("host");
        assertThat(e.getMessage()).contains(unknown.value());

        PortInfo after = await(svc.getPort(PortId.of(p.id())));
        assertThat(after.state()).isEqualTo(PortState.UNBOUND);
        assertThat(after.host()).isNull();
        assertThat(failure(svc.getHost(unknown)))
                .as("a refused binding registers no host")
                .isInstanceOf(NotFoundException.class);
        // the port is still usable
        HostId real = newHost("10.2.0.1");
        assertThat(await(svc.bindPort(PortId.of(p.id()), real, false)).vlan()).isEqualTo(1);
    }

    @Test
    void aBindingToAnotherHostStartsALiveMoveAndTheVlanIsTheNewHosts() throws Exception {
        SwitchId sw = newSwitch();
        HostId a = newHost("10.3.0.1");
        HostId b = newHost("10.3.0.2");
        PortInfo p = await(svc.createPort(sw, Mac.parse("52:54:00:00:03:01"), List.of(), Optional.empty()));
        await(svc.bindPort(PortId.of(p.id()), a, false));

        // make-before-break: the port stays on A (VLAN 1 there) until the move is activated, B holds its VLAN
        BindingResult moving = await(svc.bindPort(PortId.of(p.id()), b, false));
        assertThat(moving.host()).isEqualTo(b.value());
        assertThat(moving.vlan()).isEqualTo(1);
        PortInfo still = await(svc.getPort(PortId.of(p.id())));
        assertThat(still.host()).isEqualTo(a.value());
        assertThat(still.vlan()).isEqualTo(1);
        assertThat(await(svc.getHost(b)).vlansUsed()).isEqualTo(1);
        // binding it to its source again while it moves is refused: a cancel says what is meant
        assertThat(failure(svc.bindPort(PortId.of(p.id()), a, false)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("cancel the move");

        await(svc.completeMigration(PortId.of(p.id()), false));
        assertThat(await(svc.getPort(PortId.of(p.id()))).host()).isEqualTo(b.value());
        assertThat(await(svc.getHost(a)).vlansUsed()).isZero();
        assertThat(await(svc.getHost(b)).vlansUsed()).isEqualTo(1);
    }

    @Test
    void theBindingAfterTheLast4094VlansOfAHostIsRefusedAndLeavesThePortUnbound() throws Exception {
        HostId full = newHost("10.4.0.1");
        SwitchId sw = newSwitch();
        // The first 4093 VLANs are taken by binding straight at the Host entity: through ports, every binding also
        // persists the switch's member list on the host, and the in-memory journal re-sorts a persistence id's
        // whole event list on every write, which makes 8,000 events cost a minute. They are spread over switches of
        // 64 ports because a host's flood groups grow with the square of its ports in one switch.
        var host = ClusterSharding.get(testKit.system()).entityRefFor(HostEntity.TYPE_KEY, full.value());
        for (int i = 0; i < 4093; i++) {
            String port = "direct-" + i;
            String mac = mac(i).toString();
            int group = i / 64;
            await(host.<HostProtocol.Bound>askWithStatus(
                    r -> new HostProtocol.BindPort(
                            PortId.of(port),
                            Mac.parse(mac),
                            SwitchId.of("elsewhere-" + group),
                            new Vni(100_000 + group),
                            r),
                    ASK));
        }
        PortInfo lastFree = await(svc.createPort(sw, mac(4093), List.of(), Optional.empty()));
        assertThat(await(svc.bindPort(PortId.of(lastFree.id()), full, false)).vlan())
                .isEqualTo(4094);
        assertThat(await(svc.getHost(full)).vlansUsed()).isEqualTo(4094);

        PortInfo oneTooMany = await(svc.createPort(sw, mac(4094), List.of(), Optional.empty()));
        Throwable e = failure(svc.bindPort(PortId.of(oneTooMany.id()), full, false));
        assertThat(e).isInstanceOf(ValidationException.class).hasMessageContaining("4094");
        assertThat(((ValidationException) e).field()).isEqualTo("host");
        PortInfo after = await(svc.getPort(PortId.of(oneTooMany.id())));
        assertThat(after.state()).isEqualTo(PortState.UNBOUND);
        assertThat(after.host()).isNull();
        assertThat(await(svc.getHost(full)).vlansUsed()).isEqualTo(4094);

        // freeing one VLAN through the port path makes room for the refused port
        await(svc.unbindPort(PortId.of(lastFree.id()), false));
        assertThat(await(svc.bindPort(PortId.of(oneTooMany.id()), full, false)).vlan())
                .isEqualTo(4094);
    }

    @Test
    void aBindWritesItsIntentThenItsBindingARefusedOneItsIntentThenItsAbandonAndARepeatedOneNothing() throws Exception {
        SwitchId sw = newSwitch();
        HostId host = newHost("10.5.0.1");
        var kit = portKit("p-" + ids.incrementAndGet());
        kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:00:05:01"), List.of(), null, r));

        var bind = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Bind(host, false, r));
        assertThat(bind.events())
                .containsExactly(
                        new LogicalPortEntity.ChangeStarted(new PortChange.BindTo(host.value())),
                        new LogicalPortEntity.Bound(host.value(), 1, "10.5.0.1"));
        assertThat(bind.reply().getValue().vlan()).isEqualTo(1);
        assertThat(bind.reply().getValue().versions()).containsKey(host.value());
        assertThat(kit.getState().pending()).isNull();

        // repeated (the client did not hear the answer): the switch is told again, nothing is written
        var again = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Bind(host, false, r));
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().getValue().vlan()).isEqualTo(1);
        assertThat(again.reply().getValue().versions()).containsKey(host.value());

        String unknown = "unregistered-" + ids.incrementAndGet();
        var refusedKit = portKit("p-" + ids.incrementAndGet());
        refusedKit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:00:05:02"), List.of(), null, r));
        var refused = refusedKit.<StatusReply<PortProtocol.Outcome>>runCommand(
                r -> new PortProtocol.Bind(HostId.of(unknown), false, r));
        assertThat(refused.events())
                .containsExactly(
                        new LogicalPortEntity.ChangeStarted(new PortChange.BindTo(unknown)),
                        new LogicalPortEntity.ChangeAbandoned());
        assertThat(Errors.toException(refused.reply().getError())).isInstanceOf(ValidationException.class);
        assertThat(refusedKit.getState().pending()).isNull();
        assertThat(refusedKit.getState().isBound()).isFalse();
    }

    @Test
    void aDeleteWritesItsIntentBeforeItsSwitchStepAlsoForAPortNeverBound() throws Exception {
        SwitchId sw = newSwitch();
        var kit = portKit("p-" + ids.incrementAndGet());
        kit.<StatusReply<PortInfo>>runCommand(
                r -> new PortProtocol.Create(sw, Mac.parse("52:54:00:00:06:01"), List.of(), null, r));

        var deleted = kit.<StatusReply<PortProtocol.Outcome>>runCommand(r -> new PortProtocol.Delete(false, r));
        assertThat(deleted.events())
                .containsExactly(
                        new LogicalPortEntity.ChangeStarted(new PortChange.Delete()), new LogicalPortEntity.Deleted());
        assertThat(deleted.reply().isSuccess()).isTrue();
        assertThat(kit.getState().exists()).isFalse();
        assertThat(await(svc.getSwitch(sw)).ports()).isEmpty();
    }

    @Test
    void theEventsOfAChangeSerializeWithTheirKind() {
        var ser = testKit.serializationTestKit();
        ser.verifySerialization(new LogicalPortEntity.ChangeStarted(new PortChange.BindTo("esx-1")), true);
        ser.verifySerialization(new LogicalPortEntity.ChangeStarted(new PortChange.Unbind()), true);
        ser.verifySerialization(new LogicalPortEntity.ChangeStarted(new PortChange.Delete()), true);
        ser.verifySerialization(new LogicalPortEntity.ChangeAbandoned(), true);
    }

    @Test
    void repliesThatCrossNodesSerialize() {
        var ser = testKit.serializationTestKit();
        ser.verifySerialization(
                new PortInfo("p", "s", null, "52:54:00:00:00:01", List.of(), null, null, "UNBOUND"), true);
        ser.verifySerialization(
                new PortProtocol.Outcome("esx-1", 7, Map.of("esx-1", 3L, "esx-2", 9L), List.of("esx-2")), true);
        ser.verifySerialization(new SwitchProtocol.HostVersions(Map.of("esx-1", 4L), List.of()), true);
        ser.verifySerialization(new io.portmesh.sharding.host.HostProtocol.Applied(4L, true), true);
        ser.verifySerialization(new SwitchInfo("s", 5000, List.of("p1", "p2")), true);
    }

    private static EventSourcedBehaviorTestKit<PortProtocol.Command, LogicalPortEntity.Event, PortState> portKit(
            String id) {
        return EventSourcedBehaviorTestKit.create(
                testKit.system(), LogicalPortEntity.create(id, ClusterSharding.get(testKit.system()), ASK, ASK));
    }

    private static SwitchId newSwitch() throws Exception {
        SwitchId sw = SwitchId.of("sw-" + ids.incrementAndGet());
        await(svc.createSwitch(sw, Optional.empty()));
        return sw;
    }

    private static HostId newHost(String tunnelIp) throws Exception {
        HostId h = HostId.of("esx-" + ids.incrementAndGet());
        await(svc.createHost(h, Ipv4.parse(tunnelIp)));
        return h;
    }

    private static Mac mac(int i) {
        return Mac.parse(String.format("52:54:00:01:%02x:%02x", i >> 8, i & 0xFF));
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

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
