package io.portmesh.cluster.membership;

import com.typesafe.config.Config;
import io.portmesh.sharding.host.ClusterQuorum;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downs a member whose process is proven gone, without waiting for the failure detector and the split brain resolver
 * (docs/architecture.md section 7.3, "A crashed process is downed at once").
 *
 * <p>Why: a node killed with SIGKILL (or crashed) is only marked unreachable after the failure detector's acceptable
 * pause (~4-5 s), then downed after the resolver's {@code stable-after} (3 s), removed at the next leader action:
 * ~9 s during which its hosts have no owner. Those settings must stay long enough not to down a node that merely
 * stalls. But a crash leaves proof that a stall does not: the machine is still there and its kernel refuses
 * connections to the dead process's cluster port. So every node tries a TCP connection to every other member's
 * cluster port every {@code interval}; after {@code refusals} refusals in a row it quarantines that incarnation (which
 * marks it terminated, so the leader may remove it without waiting for the failure detector) and downs it. A partition
 * or a stall gives silence, never a refusal, and is left to the failure detector and the resolver as before. Only a
 * node that sees a majority reachable acts (the minority side of a partition downs nobody).
 *
 * <p>What a refusal cannot tell: a firewall rule that rejects with a TCP reset looks like a dead process. Such a rule
 * between controller nodes would down the node behind it at once; the resolver would down it a few seconds later in
 * any case, and the Host entities' generations keep a deposed node from changing a switch (section 6.3). Off with
 * {@code portmesh.controller.dead-member-downing.enabled = off}.
 */
public final class DeadMemberDowning {
    private static final Logger log = LoggerFactory.getLogger(DeadMemberDowning.class);

    /** Members whose ports are probed: those that count for the cluster's work. Leaving and Exiting ones are on their way out by themselves. */
    private static final Set<MemberStatus> PROBED =
            Set.of(MemberStatus.joining(), MemberStatus.weaklyUp(), MemberStatus.up());

    private final ActorSystem<?> system;
    private final Cluster cluster;
    private final Settings settings;
    private final RefusalTally<UniqueAddress> tally;
    /** Incarnations this node already downed (only the probe thread touches it): one log line and count each. */
    private final Set<UniqueAddress> downed = new HashSet<>();

    /** {@code portmesh.controller.dead-member-downing}. */
    public record Settings(boolean enabled, Duration interval, Duration connectTimeout, int refusals) {
        public static Settings fromConfig(Config root) {
            Config c = root.getConfig("portmesh.controller.dead-member-downing");
            return new Settings(
                    c.getBoolean("enabled"),
                    c.getDuration("interval"),
                    c.getDuration("connect-timeout"),
                    c.getInt("refusals"));
        }
    }

    private DeadMemberDowning(ActorSystem<?> system, Settings settings) {
        this.system = system;
        this.cluster = Cluster.get(system);
        this.settings = settings;
        this.tally = new RefusalTally<>(settings.refusals());
    }

    /**
     * Starts probing on a thread of its own (a probe of a silent member blocks for the connect timeout) until the
     * actor system terminates. Does nothing when off, or when the cluster transport is not TCP (Aeron's UDP has no
     * connection to refuse).
     */
    public static void start(ActorSystem<?> system) {
        Config config = system.settings().config();
        Settings settings = Settings.fromConfig(config);
        String transport = config.getString("pekko.remote.artery.transport");
        if (!settings.enabled() || !(transport.equals("tcp") || transport.equals("tls-tcp"))) {
            log.info("dead member downing off (enabled: {}, transport: {})", settings.enabled(), transport);
            return;
        }
        DeadMemberDowning d = new DeadMemberDowning(system, settings);
        MemberCheckThread.start(system, "portmesh-dead-member-probe", settings.interval(), d::probeAll);
    }

    private void probeAll() {
        try {
            Member self = cluster.selfMember();
            if (!PROBED.contains(self.status())) {
                return; // not yet a member, or leaving: not this node's business any more
            }
            List<Member> others = new java.util.ArrayList<>();
            Set<UniqueAddress> present = new HashSet<>();
            cluster.state().getMembers().forEach(m -> {
                present.add(m.uniqueAddress());
                if (!m.uniqueAddress().equals(self.uniqueAddress()) && PROBED.contains(m.status())) {
                    others.add(m);
                }
            });
            tally.retain(present);
            downed.retainAll(present);
            for (Member m : others) {
                Address a = m.address();
                if (a.host().isEmpty() || a.port().isEmpty()) {
                    continue;
                }
                PortProbe.Outcome outcome =
                        PortProbe.probe(a.host().get(), (Integer) a.port().get(), settings.connectTimeout());
                if (tally.record(m.uniqueAddress(), outcome) && !downed.contains(m.uniqueAddress())) {
                    downIfQuorum(m);
                }
            }
        } catch (RuntimeException e) {
            log.warn("dead member probe failed; probing again in {}", settings.interval(), e);
        }
    }

    private void downIfQuorum(Member dead) {
        Map<Address, MemberStatus> members = new HashMap<>();
        cluster.state().getMembers().forEach(m -> members.put(m.address(), m.status()));
        Set<Address> unreachable = new HashSet<>();
        cluster.state().getUnreachable().forEach(m -> unreachable.add(m.address()));
        Address self = cluster.selfMember().address();
        if (!ClusterQuorum.held(self, members, unreachable)) {
            log.info(
                    "member {} refused {} connections in a row, but this node does not see a majority: left to the"
                            + " split brain resolver",
                    dead.address(),
                    settings.refusals());
            return;
        }
        log.warn(
                "member {} (uid {}) is gone: its cluster port, which listened before, refused {} connections in a row"
                        + " (probed every {} ms: a crashed or killed process); quarantining and downing it without"
                        + " waiting for the failure detector",
                dead.address(),
                dead.uniqueAddress().longUid(),
                settings.refusals(),
                settings.interval().toMillis());
        downed.add(dead.uniqueAddress());
        quarantine(dead);
        cluster.manager().tell(new Down(dead.address()));
        NodeMetrics.get(system).membersDownedAsGone.inc();
    }

    /**
     * Marks the dead incarnation terminated: the leader removes a downed member only once it is unreachable or
     * terminated, and the failure detector would take seconds more to call a dead member unreachable.
     */
    private void quarantine(Member dead) {
        ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
        if (classic.provider() instanceof RemoteActorRefProvider remote) {
            remote.transport()
                    .quarantine(
                            dead.address(),
                            scala.Option.apply((Object) dead.uniqueAddress().longUid()),
                            "its cluster port refused connections: the process is gone");
        }
    }
}
