package io.portmesh.sharding;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Config for entity unit tests: the in-memory journal (unit tests only) with serialization of everything checked. */
public final class EntityTestKits {
    private EntityTestKits() {}

    public static Config config() {
        return EventSourcedBehaviorTestKit.config()
                .withFallback(ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.port = 0
                        pekko.actor.serialize-messages = off
                        pekko.persistence.snapshot-store.plugin = "pekko.persistence.testkit.snapshotstore.pluginid"
                        # every entity on the in-memory journal, ports too
                        portmesh.persistence.untagged-journal-plugin = ""
                        # how long a probe (and EventSourcedBehaviorTestKit.runCommand) waits for a reply: a bound, not
                        # a latency check; 3 s was missed once by a command of a 4094-command test while a benchmark
                        # loaded the 2-core machine (load 23). A reply that comes returns at once either way.
                        pekko.actor.testkit.typed.single-expect-default = 10s
                        # binding the remoting port is bounded by 3 s by default: missed once when a test class's
                        # actor system started while other builds loaded the machine (load 12-22); a bound, not a check
                        pekko.remote.artery.bind.bind-timeout = 30s
                        """))
                .withFallback(ConfigFactory.load());
    }

    /**
     * A one-node cluster running every entity type (sharded), as a controller node runs them: for tests that go
     * through entities that ask each other.
     */
    public static void startEntities(ActorSystem<?> system, Duration ask, Duration realize) {
        joinAsSingleNode(system);
        HostEntity.init(system, realize, ask);
        startAllButHosts(system, ask, realize);
    }

    /**
     * As {@link #startEntities}, but the Host entities are what {@code hosts} makes of a host id: a stand-in that
     * loses answers, for the tests of what the other entities do then.
     */
    public static void startEntities(
            ActorSystem<?> system,
            Duration ask,
            Duration realize,
            Function<String, Behavior<HostProtocol.Command>> hosts) {
        joinAsSingleNode(system);
        ClusterSharding.get(system).init(Entity.of(HostEntity.TYPE_KEY, ctx -> hosts.apply(ctx.getEntityId())));
        startAllButHosts(system, ask, realize);
    }

    /**
     * As {@link #startEntities}, but the Host and LogicalSwitch entities are what {@code hosts} and {@code switches}
     * make of an id: stand-ins that lose answers, for the tests of what ports do then.
     */
    public static void startEntities(
            ActorSystem<?> system,
            Duration ask,
            Duration realize,
            Function<String, Behavior<HostProtocol.Command>> hosts,
            Function<String, Behavior<SwitchProtocol.Command>> switches) {
        joinAsSingleNode(system);
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(HostEntity.TYPE_KEY, ctx -> hosts.apply(ctx.getEntityId())));
        sharding.init(Entity.of(LogicalSwitchEntity.TYPE_KEY, ctx -> switches.apply(ctx.getEntityId())));
        startPortsAndRegistries(system, ask, realize);
    }

    /**
     * As {@link #startEntities}, with {@link FlakyHost}s, and the LogicalSwitch entities what {@code switches} makes of
     * an id and of this node's fan-out to hosts: for the tests of what ports and switches do when answers are lost.
     */
    static void startWithFlakyHosts(
            ActorSystem<?> system,
            Duration ask,
            Duration realize,
            java.util.function.BiFunction<String, LogicalSwitchEntity.HostNotifier, Behavior<SwitchProtocol.Command>>
                    switches) {
        ClusterSharding sharding = ClusterSharding.get(system);
        HostProtocol.SwitchDirectory directory = sw -> sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, sw)
                .askWithStatus(SwitchProtocol.GetMembers::new, ask);
        LogicalSwitchEntity.HostNotifier notifier = io.portmesh.sharding.host.HostFanout.get(system)::inform;
        startEntities(
                system,
                ask,
                realize,
                id -> FlakyHost.create(id, realize, directory),
                id -> switches.apply(id, notifier));
    }

    private static void startAllButHosts(ActorSystem<?> system, Duration ask, Duration realize) {
        LogicalSwitchEntity.init(system, ask, realize);
        startPortsAndRegistries(system, ask, realize);
    }

    private static void startPortsAndRegistries(ActorSystem<?> system, Duration ask, Duration realize) {
        LogicalPortEntity.init(system, ask, realize);
        VniRegistryEntity.init(system);
        TunnelIpRegistryEntity.init(system);
    }

    /** Joins {@code system} to itself and waits (bounded) until it is Up: a one-node cluster for sharded entities. */
    public static void joinAsSingleNode(ActorSystem<?> system) {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("one-node cluster not up after 20 s: " + cluster.selfMember());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
