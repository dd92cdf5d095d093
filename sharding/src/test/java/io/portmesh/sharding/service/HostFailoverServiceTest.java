package io.portmesh.sharding.service;

import static io.portmesh.sharding.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.openflow.plan.TrunkWire;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostPairFixture;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.southbound.SessionCommand;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A planned switch-VM failover through the real service on a one-node cluster (docs/architecture.md section 7.2): the
 * Host entity is the real one, its two agents are scripted stand-ins for their sessions. The ask timeout is shorter
 * than the realization timeout on purpose: the service must wait for the entity's own deadline, not answer 503 first.
 */
class HostFailoverServiceTest {
    private static final Duration ASK = Duration.ofSeconds(1);
    private static final Duration REALIZE = Duration.ofSeconds(3);
    static final ActorTestKit testKit = ActorTestKit.create(
            ConfigFactory.parseString("pekko.cluster.jmx.enabled = off").withFallback(EntityTestKits.config()));
    private static final AtomicInteger ids = new AtomicInteger();
    private static NetworkService svc;
    private static ClusterSharding sharding;
    private static String selfNode;

    @BeforeAll
    static void joinAndStartSharding() {
        EntityTestKits.startEntities(testKit.system(), ASK, REALIZE);
        sharding = ClusterSharding.get(testKit.system());
        selfNode = Cluster.get(testKit.system()).selfMember().address().toString();
        svc = new ShardedNetworkService(testKit.system(), new TopologyView(), ASK, REALIZE);
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    /**
     * One switch VM's agent behind its session: it answers reads with its trunk state, takes the PORT_MODs of the
     * pushes it gets and acknowledges them while {@code acks} is on.
     */
    private static final class Agent {
        volatile boolean trunkUp;
        volatile boolean acks = true;
        final ActorRef<SessionCommand> ref;

        Agent(boolean trunkUp) {
            this.trunkUp = trunkUp;
            this.ref = testKit.spawn(Behaviors.setup(ctx -> Behaviors.receive(SessionCommand.class)
                    .onMessage(SessionCommand.Reconcile.class, r -> {
                        r.host()
                                .tell(new HostProtocol.Installed(
                                        ctx.getSelf(),
                                        r.seq(),
                                        new byte[0],
                                        new byte[0],
                                        HostPairFixture.ports(this.trunkUp)));
                        return Behaviors.same();
                    })
                    .onMessage(SessionCommand.Push.class, p -> {
                        if (acks) {
                            TrunkWire.readPortMod(p.messages()).ifPresent(up -> this.trunkUp = up);
                            p.host().tell(new HostProtocol.Acked(ctx.getSelf(), p.seq()));
                        }
                        return Behaviors.same();
                    })
                    .onAnyMessage(m -> Behaviors.same())
                    .build()));
        }
    }

    /** A registered host whose agents in slots a and b are connected and hold the plan; slot a active, trunk up. */
    private static HostPair pairReady() throws Exception {
        int n = ids.incrementAndGet();
        HostId host = HostId.of("failover-" + n);
        String tepA = "10.40." + n + ".1";
        String tepB = "10.40." + n + ".2";
        await(svc.createHost(host, Ipv4.parse(tepA)));
        Agent a = new Agent(false);
        Agent b = new Agent(true);
        connect(host, a, "a", tepA);
        eventually(() -> assertThat(slot(await(svc.getHost(host)), "a")).isEqualTo(slotInfo("a", tepA, true, "up")));
        connect(host, b, "b", tepB);
        eventually(() -> assertThat(slot(await(svc.getHost(host)), "b")).isEqualTo(slotInfo("b", tepB, false, "down")));
        return new HostPair(host, a, b, tepA, tepB);
    }

    private record HostPair(HostId host, Agent a, Agent b, String tepA, String tepB) {}

    private static void connect(HostId host, Agent agent, String slot, String tep) {
        sharding.entityRefFor(HostEntity.TYPE_KEY, host.value())
                .tell(new HostProtocol.AgentConnected(agent.ref, slot, "00:0" + slot, selfNode, "127.0.0.1:1", tep));
    }

    private static HostInfo.SlotInfo slotInfo(String slot, String tep, boolean active, String trunk) {
        return new HostInfo.SlotInfo(slot, tep, active, trunk, 1, true);
    }

    private static HostInfo.SlotInfo slot(HostInfo h, String name) {
        return h.slots().stream().filter(s -> s.slot().equals(name)).findFirst().orElse(null);
    }

    @Test
    void aPlannedFailoverAnswersTheHostOnceTheStandbyForwardsAndTheOldActiveIsDown() throws Exception {
        HostPair pair = pairReady();

        HostInfo done = await(svc.failover(pair.host()));

        assertThat(done.activeSlot()).isEqualTo("b");
        assertThat(done.tunnelIp()).isEqualTo(pair.tepB());
        assertThat(done.slots())
                .containsExactly(slotInfo("a", pair.tepA(), false, "down"), slotInfo("b", pair.tepB(), true, "up"));
        assertThat(pair.a().trunkUp).isFalse();
        assertThat(pair.b().trunkUp).isTrue();
        HostInfo read = await(svc.getHost(pair.host()));
        assertThat(read.activeSlot()).isEqualTo("b");
        assertThat(read.slots()).isEqualTo(done.slots());

        // and back: the old active is the standby now, ready as well
        HostInfo back = await(svc.failover(pair.host()));
        assertThat(back.activeSlot()).isEqualTo("a");
        assertThat(back.tunnelIp()).isEqualTo(pair.tepA());
        assertThat(back.slots()).extracting(HostInfo.SlotInfo::trunk).containsExactly("up", "down");
    }

    @Test
    void aFailoverTheAgentsDoNotAcknowledgeIsAnsweredAtTheEntitysDeadlineNotAsUnavailable() throws Exception {
        HostPair pair = pairReady();
        pair.a().acks = false; // the old active's trunk is never confirmed down: the standby's never comes up

        long start = System.nanoTime();
        HostInfo answered = await(svc.failover(pair.host()));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isGreaterThanOrEqualTo(REALIZE.minusMillis(100)).isGreaterThan(ASK);
        assertThat(answered.activeSlot()).isEqualTo("b");
        assertThat(slot(answered, "b").trunk()).isEqualTo("down");
        assertThat(pair.b().trunkUp).isFalse();
    }

    @Test
    void aFailoverWithoutAStandbyIsAConflictThatSaysWhy() throws Exception {
        int n = ids.incrementAndGet();
        HostId host = HostId.of("failover-" + n);
        await(svc.createHost(host, Ipv4.parse("10.40." + n + ".1")));
        Agent a = new Agent(false);
        connect(host, a, "a", "10.40." + n + ".1");
        eventually(() -> assertThat(a.trunkUp).isTrue());

        assertThat(failure(svc.failover(host)))
                .isInstanceOf(ConflictException.class)
                .hasMessage("host: cannot fail over: host " + host + " has no standby agent (slot b) connected");
        assertThat(await(svc.getHost(host)).activeSlot()).isEqualTo("a");
    }

    @Test
    void aFailoverOfAnUnknownHostIsNotFound() throws Exception {
        assertThat(failure(svc.failover(HostId.of("failover-nobody"))))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("failover-nobody");
    }

    @Test
    void theCallersWaitCoversTheEntitysStartItsDeadlineAndTheWayBack() {
        assertThat(ShardedNetworkService.failoverClientTimeout(Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .isEqualTo(Duration.ofSeconds(21));
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
            return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        }
    }
}
