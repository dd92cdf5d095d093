package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.service.BindingResult;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.NetworkService;
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
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * The real Port, Switch and Host entities of a live move on a one-node cluster with the in-memory journal, no agents
 * but the scripted connections a test gives a host ({@link AckingAgent}), and the questions the move tests ask them.
 */
final class MoveEntityFixture implements AutoCloseable {
    static final Duration ASK = Duration.ofSeconds(5);

    /**
     * The straggler grace longer than any test here: a port moved away from a host cannot be moved back to it within
     * it (its straggler flow there would send the frames round between the two hosts).
     */
    final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off\nportmesh.controller.move-straggler-grace = 60s")
                    .withFallback(EntityTestKits.config()));

    final NetworkService svc;
    final ClusterSharding sharding;
    private final AtomicInteger ids = new AtomicInteger();

    MoveEntityFixture(Duration moveTimeout) {
        var system = testKit.system();
        EntityTestKits.joinAsSingleNode(system);
        HostEntity.init(system, Duration.ofSeconds(2), ASK);
        LogicalSwitchEntity.init(system, ASK, Duration.ofSeconds(2));
        LogicalPortEntity.init(system, ASK, Duration.ofSeconds(2), moveTimeout);
        VniRegistryEntity.init(system);
        TunnelIpRegistryEntity.init(system);
        sharding = ClusterSharding.get(system);
        svc = new ShardedNetworkService(system, new TopologyView(), ASK, Duration.ofSeconds(2));
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }

    /** A number not used before in this fixture (for names and MACs). */
    int nextId() {
        return ids.incrementAndGet();
    }

    /** A switch, three hosts, a port bound on the first and a peer port on the third. */
    record Topology(String sw, String a, String b, String c, String port, String peer, int vlanOnA) {}

    Topology topology() {
        int n = nextId();
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

    /**
     * Connects an agent to {@code host} and returns its connection once the host made it its master: the host takes
     * an activation frame only from its master. Its activation flows count no packet.
     */
    ActorRef<SessionCommand> masterOf(String host) {
        return masterOf(host, cookie -> StatusReply.success(AckingAgent.NO_PACKET));
    }

    /** As {@link #masterOf(String)}, with a flow-stats count answered by {@code counts} from the cookie. */
    ActorRef<SessionCommand> masterOf(String host, Function<Long, StatusReply<HostProtocol.ActivationCount>> counts) {
        TestProbe<SessionCommand.SetRole> roles = testKit.createTestProbe();
        ActorRef<SessionCommand> agent = testKit.spawn(AckingAgent.create(roles.ref(), counts));
        sharding.entityRefFor(HostEntity.TYPE_KEY, host)
                .tell(new HostProtocol.AgentConnected(
                        agent, "a", "00:00:00:00:00:00:00:01", "test", "127.0.0.1:1", null, null));
        assertThat(roles.expectMessageClass(SessionCommand.SetRole.class, ASK).master())
                .isTrue();
        return agent;
    }

    MigrationInfo awaitState(String port, String state) {
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
    int vlansOn(String host) {
        HostInfo h = await(svc.getHost(HostId.of(host)));
        return h.vlansUsed();
    }

    SwitchMembers.Member member(String sw, String port) {
        SwitchMembers members = await(sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw)
                .askWithStatus(SwitchProtocol.GetMembers::new, ASK));
        return members.members().stream()
                .filter(m -> m.port().equals(port))
                .findFirst()
                .orElseThrow();
    }

    String macOf(String port) {
        return await(svc.getPort(PortId.of(port))).mac();
    }

    static <T> T await(CompletionStage<T> stage) {
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

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
