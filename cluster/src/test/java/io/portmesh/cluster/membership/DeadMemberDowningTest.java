package io.portmesh.cluster.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.LocalPorts;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three cluster members in this JVM (cluster only, no entities). One stops without leaving, the way a crashed process
 * does: its port closes, it says goodbye to nobody. The failure detector and the resolver are set far beyond the
 * test's wait (20 s each), so only the refused-port proof can have removed it in time; the survivors' counter says
 * they did.
 */
class DeadMemberDowningTest {
    private final List<ActorSystem<Void>> systems = new ArrayList<>();

    @AfterEach
    void stop() {
        systems.forEach(ActorSystem::terminate);
        for (ActorSystem<Void> s : systems) {
            s.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void aMemberWhosePortRefusesIsRemovedLongBeforeTheFailureDetectorWould() throws Exception {
        int[] ports = LocalPorts.freeTcpPorts(3);
        for (int i = 0; i < 3; i++) {
            ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), "portmesh", config(ports[i], ports[0], i == 2));
            systems.add(s);
            DeadMemberDowning.start(s);
        }
        awaitUntil(
                Duration.ofSeconds(30),
                "three members Up",
                () -> systems.stream().allMatch(s -> countUp(s) == 3));
        ActorSystem<Void> victim = systems.remove(2);
        Address gone = Cluster.get(victim).selfMember().address();

        long stopped = System.nanoTime();
        victim.terminate(); // no coordinated shutdown: it leaves nothing behind but a closed port
        victim.getWhenTerminated().toCompletableFuture().join();

        awaitUntil(
                Duration.ofSeconds(10),
                "the stopped member removed by both survivors",
                () -> systems.stream().noneMatch(s -> isMember(s, gone)));
        double tookMs = (System.nanoTime() - stopped) / 1e6;
        assertTrue(tookMs < 10_000, "removed after " + tookMs + " ms");
        double downed = 0;
        for (ActorSystem<Void> s : systems) {
            downed += NodeMetrics.get(s).membersDownedAsGone.get();
        }
        assertTrue(downed >= 1, "a survivor downed it as gone (counter " + downed + ")");
        for (ActorSystem<Void> s : systems) {
            assertEquals(MemberStatus.up(), Cluster.get(s).selfMember().status(), "the survivors stay Up");
            assertEquals(2, countUp(s));
        }
    }

    private static Config config(int port, int seed, boolean victim) {
        return ConfigFactory.parseString("""
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = %d
                        pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        pekko.coordinated-shutdown.run-by-actor-system-terminate = %s
                        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 20s
                        pekko.cluster.split-brain-resolver.stable-after = 20s
                        """.formatted(port, seed, victim ? "off" : "on"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    private static long countUp(ActorSystem<?> s) {
        long n = 0;
        for (Member m : Cluster.get(s).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                n++;
            }
        }
        return n;
    }

    private static boolean isMember(ActorSystem<?> s, Address a) {
        for (Member m : Cluster.get(s).state().getMembers()) {
            if (m.address().equals(a)) {
                return true;
            }
        }
        return false;
    }

    private static void awaitUntil(Duration timeout, String what, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
