package io.portmesh.cluster.membership;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Cluster members in this JVM for the node-loss tests: the failure detector and the resolver are set far beyond a
 * test's wait (20 s each), so only DeadMemberDowning's refused-port proof removes a member that stops without leaving
 * (the last one started: its actor-system termination runs no coordinated shutdown, as a crashed process).
 */
final class LocalMembers implements AutoCloseable {
    final List<ActorSystem<Void>> systems = new ArrayList<>();

    /** Starts {@code n} members joined through the first, runs {@code each} on every one, waits until all are Up. */
    static LocalMembers start(int n, String extraConfig, Consumer<ActorSystem<Void>> each) throws Exception {
        LocalMembers members = new LocalMembers();
        int[] ports = io.portmesh.cluster.LocalPorts.freeTcpPorts(n);
        for (int i = 0; i < n; i++) {
            ActorSystem<Void> s = ActorSystem.create(
                    Behaviors.empty(), "portmesh", config(ports[i], ports[0], i == n - 1, extraConfig));
            members.systems.add(s);
            each.accept(s);
        }
        awaitUntil(
                Duration.ofSeconds(30),
                n + " members Up",
                () -> members.systems.stream().allMatch(s -> countUp(s) == n));
        return members;
    }

    /** Starts one more member that joins through the first one's port, with {@code extraConfig}; not awaited. */
    ActorSystem<Void> startAnother(String extraConfig) throws Exception {
        int seed = Cluster.get(systems.get(0)).selfMember().address().getPort().get();
        int port = io.portmesh.cluster.LocalPorts.freeTcpPorts(1)[0];
        ActorSystem<Void> s = ActorSystem.create(Behaviors.empty(), "portmesh", config(port, seed, false, extraConfig));
        systems.add(s);
        return s;
    }

    /** Stops the last member without leaving, as a crashed process (nothing but a closed port left behind). */
    ActorSystem<Void> crashLast() {
        ActorSystem<Void> victim = systems.remove(systems.size() - 1);
        victim.terminate();
        victim.getWhenTerminated().toCompletableFuture().join();
        return victim;
    }

    @Override
    public void close() {
        systems.forEach(ActorSystem::terminate);
        for (ActorSystem<Void> s : systems) {
            s.getWhenTerminated().toCompletableFuture().join();
        }
    }

    private static Config config(int port, int seed, boolean victim, String extra) {
        return ConfigFactory.parseString(extra)
                .withFallback(ConfigFactory.parseString("""
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = %d
                        pekko.cluster.seed-nodes = ["pekko://portmesh@127.0.0.1:%d"]
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        pekko.coordinated-shutdown.exit-jvm = off
                        pekko.coordinated-shutdown.run-by-actor-system-terminate = %s
                        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 20s
                        pekko.cluster.split-brain-resolver.stable-after = 20s
                        """.formatted(port, seed, victim ? "off" : "on")))
                .withFallback(ConfigFactory.load())
                .resolve();
    }

    static long countUp(ActorSystem<?> s) {
        long n = 0;
        for (Member m : Cluster.get(s).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
                n++;
            }
        }
        return n;
    }

    static boolean isMember(ActorSystem<?> s, Address a) {
        for (Member m : Cluster.get(s).state().getMembers()) {
            if (m.address().equals(a)) {
                return true;
            }
        }
        return false;
    }

    static void awaitUntil(Duration timeout, String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
