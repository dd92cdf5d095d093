package io.portmesh.cluster.membership;

import com.typesafe.config.Config;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.Reachability;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downs a member that hears nobody while everybody hears it ({@link OneWayFault}), before Pekko's split brain
 * resolver decides on the same records (docs/architecture.md section 7.3, "A one-way cut").
 *
 * <p>Why: with a one-way cut (a firewall dropping what is sent to one node's cluster port, a broken link direction)
 * the cut-off node's gossip can reach the others in the instant before they notice it, telling them it sees them
 * unreachable. The resolver's keep-majority then finds a cycle in the records and, after {@code stable-after}, downs
 * every "indirectly connected" node, which took a healthy node with the cut-off one in a CI run (one node of three
 * left); and until then {@code ClusterQuorum} on the majority counts the majority's own members unreachable and puts
 * off their Host elections. Downing the deaf member as soon as the signature has held for {@code stable} (well under
 * the resolver's 3 s) leaves the resolver a clean view: nothing unreachable but a member already down. The cut-off
 * node, which sees itself in the minority, downs itself as in a plain partition.
 *
 * <p>A stalled member can show the same records (it claimed someone unreachable just before it stalled, and the others
 * ignore its gossip once they see it unreachable, so the stale claim stays). What tells the two apart is its cluster
 * port: before downing, this node tries a TCP connection there. A stalled JVM's kernel still completes the handshake
 * (the member is spared and left to the resolver); a one-way cut drops it (a timeout: down). A refusal means the
 * process is gone, which {@link DeadMemberDowning} handles.
 *
 * <p>Why the resolver does not act anyway: its {@code stable-after} clock restarts when the member is downed, and the
 * leader removes a downed unreachable member within a few leader ticks (250 ms each here); once removed, its records
 * are gone. If the removal took longer than {@code stable-after} the resolver would still see the cycle; this class
 * warns when the member is still there 2 s after it downed it.
 *
 * <p>Reads the cluster's reachability records from Pekko's read view (an internal API, read-only and safe from any
 * thread: an atomic reference to an immutable state; checked against Pekko 1.2.1): the public cluster state only says
 * who is unreachable, not by whom. {@link #start} reads it once, so an upgrade that breaks it fails the node's start.
 */
public final class OneWayFaultDowning {
    private static final Logger log = LoggerFactory.getLogger(OneWayFaultDowning.class);

    private static final Set<MemberStatus> COUNTED =
            Set.of(MemberStatus.up(), MemberStatus.weaklyUp(), MemberStatus.leaving());

    private final ActorSystem<?> system;
    private final Cluster cluster;
    private final org.apache.pekko.cluster.Cluster classicCluster;
    private final Settings settings;
    /** The check thread ({@link MemberCheckThread}), set at start; only it schedules on it. */
    private volatile ScheduledExecutorService checks;
    /** The member the signature points at, since when (nanoTime) and in how many checks in a row. */
    private UniqueAddress candidate;

    private long candidateSince;
    private int candidateChecks;
    /** Whether the candidate's port answered a probe (a stall): logged once per candidate. */
    private boolean candidateSpared;

    private final Set<UniqueAddress> downed = new HashSet<>();

    /** {@code portmesh.controller.one-way-fault-downing}. */
    public record Settings(boolean enabled, Duration interval, Duration stable, Duration connectTimeout) {
        public static Settings fromConfig(Config root) {
            Config c = root.getConfig("portmesh.controller.one-way-fault-downing");
            return new Settings(
                    c.getBoolean("enabled"),
                    c.getDuration("interval"),
                    c.getDuration("stable"),
                    c.getDuration("connect-timeout"));
        }

        /** Checks in a row the signature must hold: a late check thread cannot make two samples look like {@code stable}. */
        int checksInARow() {
            return (int) Math.max(1, stable.toMillis() / Math.max(1, interval.toMillis()));
        }
    }

    private OneWayFaultDowning(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.cluster = Cluster.get(system);
        this.classicCluster = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
        this.settings = settings;
    }

    /** Starts checking every {@code interval} until the actor system terminates; does nothing when off. */
    public static void start(ActorSystem<?> system) {
        Settings settings = Settings.fromConfig(system.settings().config());
        if (!settings.enabled()) {
            log.info("one-way fault downing off");
            return;
        }
        OneWayFaultDowning d = new OneWayFaultDowning(system, settings);
        d.unreachableRecords(); // Pekko's internals still as this class reads them, or the node does not start
        d.checks = MemberCheckThread.start(system, "portmesh-one-way-fault-check", settings.interval(), d::check);
    }

    private void check() {
        try {
            Member self = cluster.selfMember();
            Set<UniqueAddress> members = new HashSet<>();
            cluster.state().getMembers().forEach(m -> {
                if (COUNTED.contains(m.status())) {
                    members.add(m.uniqueAddress());
                }
            });
            downed.retainAll(members);
            Optional<UniqueAddress> deaf = OneWayFault.deafMember(self.uniqueAddress(), members, unreachableRecords());
            long now = System.nanoTime();
            if (deaf.isEmpty() || downed.contains(deaf.get())) {
                candidate = null;
                return;
            }
            if (!deaf.get().equals(candidate)) {
                candidate = deaf.get();
                candidateSince = now;
                candidateChecks = 1;
                candidateSpared = false;
                log.info(
                        "member {} sees others unreachable while they, a majority, see each other and not it:"
                                + " a one-way fault if this holds for {} ms and its cluster port stays silent",
                        candidate.address(),
                        settings.stable().toMillis());
                return;
            }
            candidateChecks++;
            if (now - candidateSince >= settings.stable().toNanos() && candidateChecks >= settings.checksInARow()) {
                downIfSilent(candidate);
            }
        } catch (Throwable e) { // an Error too: the schedule must not end in silence (a Pekko upgrade's LinkageError)
            log.warn("one-way fault check failed; checking again in {}", settings.interval(), e);
        }
    }

    /** Downs {@code deaf} if a connection to its cluster port gets no answer; a stalled process's kernel answers. */
    private void downIfSilent(UniqueAddress deaf) {
        org.apache.pekko.actor.Address a = deaf.address();
        if (a.host().isEmpty() || a.port().isEmpty()) {
            return;
        }
        PortProbe.Outcome probe =
                PortProbe.probe(a.host().get(), (Integer) a.port().get(), settings.connectTimeout());
        if (probe != PortProbe.Outcome.UNKNOWN) {
            if (!candidateSpared) {
                log.info(
                        "member {} shows a one-way fault's records, but its cluster port {}: a stall or a crash, not"
                                + " a cut; left to the failure detector, the resolver and dead member downing",
                        a,
                        probe == PortProbe.Outcome.LISTENING ? "answers" : "refuses connections");
                candidateSpared = true;
            }
            return;
        }
        down(deaf);
    }

    private List<OneWayFault.Unreachable<UniqueAddress>> unreachableRecords() {
        Reachability reachability = classicCluster.readView().reachability();
        return scala.jdk.javaapi.CollectionConverters.asJava(reachability.records()).stream()
                // Terminated (quarantined) is unreachable for good: counted like Unreachable, as the resolver does
                .filter(r -> r.status() == Reachability.Unreachable$.MODULE$
                        || r.status() == Reachability.Terminated$.MODULE$)
                .map(r -> new OneWayFault.Unreachable<>(r.observer(), r.subject()))
                .toList();
    }

    private void down(UniqueAddress deaf) {
        log.warn(
                "member {} (uid {}) hears nobody while every other member hears from it, for {} ms: a one-way fault"
                        + " on its side; downing it now, before the split brain resolver takes the cycle for"
                        + " indirectly connected nodes and downs healthy ones with it",
                deaf.address(),
                deaf.longUid(),
                settings.stable().toMillis());
        downed.add(deaf);
        candidate = null;
        // by address: no other incarnation can be a member on that address while this one still is
        cluster.manager().tell(new Down(deaf.address()));
        NodeMetrics.get(system).membersDownedForOneWayFault.inc();
        checks.schedule(() -> warnIfStillMember(deaf), REMOVAL_EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Removal after the Down is what keeps the resolver from deciding on the cycle after all (class comment). */
    private void warnIfStillMember(UniqueAddress deaf) {
        cluster.state().getMembers().forEach(m -> {
            if (m.uniqueAddress().equals(deaf)) {
                log.warn(
                        "member {} downed for a one-way fault {} ms ago is still a member ({}): if it stays past the"
                                + " split brain resolver's stable-after, the resolver may still down healthy members",
                        deaf.address(),
                        REMOVAL_EXPECTED.toMillis(),
                        m.status());
            }
        });
    }

    private static final Duration REMOVAL_EXPECTED = Duration.ofSeconds(2);
}
