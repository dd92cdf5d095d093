package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.model.VlanId;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.port.PortState;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.PortInfo;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.southbound.SessionCommand;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The steps of a live move across the real Port, Switch and Host entities (one-node cluster, in-memory journal, no
 * agents: this is about states and what each entity holds; frames are the integration test's). The move timeout is
 * short so that the rollback of an unactivated move is seen.
 */
class LivePortMoveEntityTest {
    private static final Duration ASK = Duration.ofSeconds(5);
    /**
     * Long enough that a move the other tests activate is not rolled back first on a loaded machine (2 s was: at a load
     * average of 100 a move started and found rolled back before its activation), short enough for the rollback test
     * to see it within {@link #awaitState}'s 15 s.
     */
    private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(6);

    /**
     * The straggler grace longer than any test here: a port moved away from a host cannot be moved back to it within
     * it (its straggler flow there would send the frames round between the two hosts).
     */
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off\nportmesh.controller.move-straggler-grace = 60s")
                    .withFallback(EntityTestKits.config()));

    private static final AtomicInteger ids = new AtomicInteger();
    private static NetworkService svc;
    private static ClusterSharding sharding;

    @BeforeAll
    static void start() {
        var system = testKit.system();
        EntityTestKits.joinAsSingleNode(system);
        HostEntity.init(system, Duration.ofSeconds(2), ASK);
        LogicalSwitchEntity.init(system, ASK, Duration.ofSeconds(2));
        LogicalPortEntity.init(system, ASK, Duration.ofSeconds(2), MOVE_TIMEOUT);
        VniRegistryEntity.init(system);
        TunnelIpRegistryEntity.init(system);
        sharding = ClusterSharding.get(system);
        svc = new ShardedNetworkService(system, new TopologyView(), ASK, Duration.ofSeconds(2));
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    /** A switch, three hosts, a port bound on the first and a peer port on the third. */
    private record Topology(String sw, String a, String b, String c, String port, String peer, int vlanOnA) {}

    private Topology topology() {
        int n = ids.incrementAndGet();
        String sw = "mv-sw-" + n;
        await(svc.createSwitch(SwitchId.of(sw), Optional.empty()));
        String[] hosts = new String[3];
        for (int i = 0; i < 3; i++) {
            hosts[i] = "mv-h" + n + "-" + i;
            await(svc.createHost(HostId.of(hosts[i]), Ipv4.parse("10.77." + n + "." + (i + 1))));
        }
        PortInfo port = await(svc.createPort(
                SwitchId.of(sw), Mac.parse(String.format("52:54:00:77:%02x:01", n)), List.of(), Optional.empty()));
        PortInfo peer = await(svc.createPort(
                SwitchId.of(sw), Mac.parse(String.format("52:54:00:77:%02x:02", n)), List.of(), Optional.empty()));
        BindingResult bound = await(svc.bindPort(PortId.of(port.id()), HostId.of(hosts[0]), false));
        await(svc.bindPort(PortId.of(peer.id()), HostId.of(hosts[2]), false));
        return new Topology(sw, hosts[0], hosts[1], hosts[2], port.id(), peer.id(), bound.vlan());
    }

    @Test
    void aMoveActivatedByTheVmsRarpEndsBoundOnTheDestinationOnly() {
        Topology t = topology();
        MigrationInfo started = await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        assertThat(started.state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(started.from()).isEqualTo(t.a());
        assertThat(started.to()).isEqualTo(t.b());
        assertThat(started.fromVlan()).isEqualTo(t.vlanOnA());
        assertThat(started.toVlan()).isNotNull();

        // while migrating: bound on both hosts, the switch member names both, the port still says A
        assertThat(vlansOn(t.a())).isEqualTo(1);
        assertThat(vlansOn(t.b())).isEqualTo(1);
        SwitchMembers.Member m = member(t.sw(), t.port());
        assertThat(m.host()).isEqualTo(t.a());
        assertThat(m.movingTo()).isEqualTo(t.b());
        PortInfo during = await(svc.getPort(PortId.of(t.port())));
        assertThat(during.host()).isEqualTo(t.a());
        assertThat(during.state()).isEqualTo(PortState.MIGRATING);

        // the destination's host entity sees the VM's RARP on the port's VLAN there, from its agent's master
        sharding.entityRefFor(HostEntity.TYPE_KEY, t.b())
                .tell(new HostProtocol.ActivationSeen(
                        masterOf(t.b()), new VlanId(started.toVlan()), Mac.parse(macOf(t.port()))));
        MigrationInfo done = awaitState(t.port(), MigrationInfo.COMPLETED);
        assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_RARP);
        assertThat(done.activatedAt()).isNotNull();
        assertThat(done.endedAt()).isNotNull();

        PortInfo after = await(svc.getPort(PortId.of(t.port())));
        assertThat(after.host()).isEqualTo(t.b());
        assertThat(after.vlan()).isEqualTo(started.toVlan());
        assertThat(after.state()).isEqualTo(PortState.BOUND);
        assertThat(vlansOn(t.a())).isZero();
        assertThat(vlansOn(t.b())).isEqualTo(1);
        SwitchMembers.Member end = member(t.sw(), t.port());
        assertThat(end.host()).isEqualTo(t.b());
        assertThat(end.isMoving()).isFalse();
    }

    @Test
    void aCancelledMoveLeavesNothingOnTheDestinationAndAnActivationAfterItIsIgnored() {
        Topology t = topology();
        MigrationInfo started = await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        MigrationInfo cancelled = await(svc.cancelMigration(PortId.of(t.port()), false));
        assertThat(cancelled.state()).isEqualTo(MigrationInfo.CANCELLED);
        assertThat(vlansOn(t.b())).isZero();
        assertThat(member(t.sw(), t.port()).isMoving()).isFalse();
        assertThat(member(t.sw(), t.port()).host()).isEqualTo(t.a());

        sharding.entityRefFor(HostEntity.TYPE_KEY, t.b())
                .tell(new HostProtocol.ActivationSeen(
                        masterOf(t.b()), new VlanId(started.toVlan()), Mac.parse(macOf(t.port()))));
        sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, t.port())
                .tell(new PortProtocol.Activate(HostId.of(t.b()), PortProtocol.Activate.BY_RARP));
        assertThat(await(svc.getMigration(PortId.of(t.port()))).state()).isEqualTo(MigrationInfo.CANCELLED);
        assertThat(await(svc.getPort(PortId.of(t.port()))).host()).isEqualTo(t.a());
        assertThat(await(svc.cancelMigration(PortId.of(t.port()), false)).state())
                .as("a repeated cancel answers the cancelled move")
                .isEqualTo(MigrationInfo.CANCELLED);
        assertThatThrownBy(() -> await(svc.completeMigration(PortId.of(t.port()), false)))
                .as("a cancelled move cannot be completed")
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aMoveNotActivatedInTimeRollsBackAndTheSourceKeepsThePort() {
        Topology t = topology();
        await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        MigrationInfo rolledBack = awaitState(t.port(), MigrationInfo.ROLLED_BACK);
        assertThat(rolledBack.activatedAt()).isNull();
        assertThat(vlansOn(t.b())).isZero();
        assertThat(vlansOn(t.a())).isEqualTo(1);
        assertThat(await(svc.getPort(PortId.of(t.port()))).vlan()).isEqualTo(t.vlanOnA());
    }

    @Test
    void aSecondMoveBeforeActivationTakesTheFirstBackThenMovesOn() {
        Topology t = topology();
        await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        // A -> B -> C: the third host is the peer's host here, which is as good a destination as any
        MigrationInfo toC = await(svc.startMigration(PortId.of(t.port()), HostId.of(t.c()), false));
        assertThat(toC.state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(toC.from()).isEqualTo(t.a());
        assertThat(toC.to()).isEqualTo(t.c());
        assertThat(vlansOn(t.b())).isZero();
        assertThat(member(t.sw(), t.port()).movingTo()).isEqualTo(t.c());

        MigrationInfo done = await(svc.completeMigration(PortId.of(t.port()), false));
        assertThat(done.state()).isEqualTo(MigrationInfo.COMPLETED);
        assertThat(done.activatedBy()).isEqualTo(PortProtocol.Activate.BY_API);
        assertThat(await(svc.getPort(PortId.of(t.port()))).host()).isEqualTo(t.c());

        // back to where it started (A -> ... -> A) within A's straggler grace (the move to C was activated away from
        // A): refused, the port stays on C, nothing taken on A
        assertThatThrownBy(() -> await(svc.bindPort(PortId.of(t.port()), HostId.of(t.a()), false)))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("cannot move port " + t.port() + " back to host " + t.a() + " yet")
                .hasMessageContaining("straggler flow");
        PortInfo stays = await(svc.getPort(PortId.of(t.port())));
        assertThat(stays.host()).isEqualTo(t.c());
        assertThat(stays.state()).isEqualTo(PortState.BOUND);
        assertThat(vlansOn(t.a())).isZero();

        // to B, by a binding this time, as PUT /binding does: B only had its arrival taken back, no straggler flow
        BindingResult toB = await(svc.bindPort(PortId.of(t.port()), HostId.of(t.b()), false));
        assertThat(toB.host()).isEqualTo(t.b());
        assertThat(await(svc.getMigration(PortId.of(t.port()))).state()).isEqualTo(MigrationInfo.MIGRATING);
        assertThat(await(svc.completeMigration(PortId.of(t.port()), false)).state())
                .isEqualTo(MigrationInfo.COMPLETED);
        assertThat(await(svc.getPort(PortId.of(t.port()))).vlan()).isEqualTo(toB.vlan());
    }

    @Test
    void aRepeatedCompleteOrCancelAnswersTheEndedMoveAndADeleteWhileMovingTakesTheMoveBackFirst() {
        Topology t = topology();
        await(svc.startMigration(PortId.of(t.port()), HostId.of(t.b()), false));
        MigrationInfo done = await(svc.completeMigration(PortId.of(t.port()), false));
        MigrationInfo again = await(svc.completeMigration(PortId.of(t.port()), false));
        assertThat(again.state()).isEqualTo(MigrationInfo.COMPLETED);
        assertThat(again.endedAt()).isEqualTo(done.endedAt());
        assertThatThrownBy(() -> await(svc.cancelMigration(PortId.of(t.port()), false)))
                .as("a completed move cannot be cancelled")
                .isInstanceOf(ConflictException.class);

        // on to C (back to A would wait out A's straggler grace)
        await(svc.startMigration(PortId.of(t.port()), HostId.of(t.c()), false));
        await(svc.cancelMigration(PortId.of(t.port()), false));
        assertThat(await(svc.cancelMigration(PortId.of(t.port()), false)).state())
                .isEqualTo(MigrationInfo.CANCELLED);

        await(svc.startMigration(PortId.of(t.port()), HostId.of(t.c()), false));
        assertThat(vlansOn(t.c())).as("the peer's and the arriving port's").isEqualTo(2);
        await(svc.deletePort(PortId.of(t.port()), false));
        assertThat(vlansOn(t.c()))
                .as("the destination of the move taken back: the peer's only")
                .isEqualTo(1);
        assertThat(vlansOn(t.b())).as("the host the port was on").isZero();
        assertThatThrownBy(() -> await(svc.getPort(PortId.of(t.port())))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void refusalsSayWhatAndWhy() {
        Topology t = topology();
        assertThatThrownBy(() -> await(svc.startMigration(PortId.of(t.port()), HostId.of("mv-nowhere"), false)))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("mv-nowhere");
        assertThat(await(svc.getPort(PortId.of(t.port()))).host()).isEqualTo(t.a());

        PortInfo unbound = await(svc.createPort(
                SwitchId.of(t.sw()),
                Mac.parse("52:54:00:77:ff:" + (10 + ids.incrementAndGet() % 80)),
                List.of(),
                Optional.empty()));
        assertThatThrownBy(() -> await(svc.startMigration(PortId.of(unbound.id()), HostId.of(t.b()), false)))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("not bound");

        MigrationInfo same = await(svc.startMigration(PortId.of(t.port()), HostId.of(t.a()), false));
        assertThat(same.state()).isEqualTo(MigrationInfo.NONE);
        assertThatThrownBy(() -> await(svc.getMigration(PortId.of(t.port())))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> await(svc.completeMigration(PortId.of(t.port()), false)))
                .isInstanceOf(ConflictException.class);
    }

    // ---- helpers

    /**
     * Connects an agent to {@code host} and returns its connection once the host made it its master: the host takes
     * an activation frame only from its master.
     */
    private static ActorRef<SessionCommand> masterOf(String host) {
        TestProbe<SessionCommand.SetRole> roles = testKit.createTestProbe();
        ActorRef<SessionCommand> agent = testKit.spawn(AckingAgent.create(roles.ref()));
        sharding.entityRefFor(HostEntity.TYPE_KEY, host)
                .tell(new HostProtocol.AgentConnected(
                        agent, "a", "00:00:00:00:00:00:00:01", "test", "127.0.0.1:1", null, null));
        assertThat(roles.expectMessageClass(SessionCommand.SetRole.class, ASK).master())
                .isTrue();
        return agent;
    }

    private static MigrationInfo awaitState(String port, String state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        MigrationInfo last = null;
        while (System.nanoTime() < deadline) {
            last = await(svc.getMigration(PortId.of(port)));
            if (last.state().equals(state)) {
                return last;
            }
            sleep(50);
        }
        throw new AssertionError("port " + port + " did not reach " + state + " within 15 s; last: " + last);
    }

    /** The access VLANs in use on the host: one per port bound there (arriving ones too). */
    private static int vlansOn(String host) {
        HostInfo h = await(svc.getHost(HostId.of(host)));
        return h.vlansUsed();
    }

    private static SwitchMembers.Member member(String sw, String port) {
        SwitchMembers members = await(sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw)
                .askWithStatus(SwitchProtocol.GetMembers::new, ASK));
        return members.members().stream()
                .filter(m -> m.port().equals(port))
                .findFirst()
                .orElseThrow();
    }

    private static String macOf(String port) {
        return await(svc.getPort(PortId.of(port))).mac();
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c =
                    e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                            ? e.getCause().getCause()
                            : e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(c);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
