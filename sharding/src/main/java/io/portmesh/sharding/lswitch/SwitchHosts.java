package io.portmesh.sharding.lswitch;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostFanout;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity.HostNotifier;
import io.portmesh.sharding.lswitch.SwitchProtocol.Command;
import io.portmesh.sharding.lswitch.SwitchProtocol.HostVersions;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.Told;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The {@link LogicalSwitchEntity}'s job of telling its hosts: which hosts a change concerns, what each gets (the change
 * alone, or the whole list to a host new to the switch), one fan-out per change through {@link HostFanout}, and the
 * hosts' plan versions back to the asker. It also keeps, in memory, the newest version every host answered and the
 * {@link SwitchProtocol.KeepBinding}s that wait for a fan-out under way.
 */
final class SwitchHosts {
    private final String switchId;
    private final HostNotifier hostNotifier;
    private final Duration askTimeout;
    private final Duration realizeTimeout;
    /** For the fan-outs' callbacks, which run outside the actor. */
    private final ActorRef<Command> self;
    /** The newest membership version that every host of the switch answered (-1: none yet). */
    private long allHostsHold = -1;
    /** Per membership version whose fan-out for KeepBindings runs, those that wait for it. */
    private final Map<Long, List<ActorRef<StatusReply<HostVersions>>>> keepWaiting = new HashMap<>();

    SwitchHosts(
            String switchId,
            HostNotifier hostNotifier,
            Duration askTimeout,
            Duration realizeTimeout,
            ActorRef<Command> self) {
        this.switchId = switchId;
        this.hostNotifier = hostNotifier;
        this.askTimeout = askTimeout;
        this.realizeTimeout = realizeTimeout;
        this.self = self;
    }

    /** Has every host of the switch answered {@code version} (or a newer one)? */
    boolean allHold(long version) {
        return allHostsHold >= version;
    }

    /** {@code replyTo} waits for the hosts to hold the switch's version; the first to wait starts the fan-out. */
    void keep(SwitchState s, ActorRef<StatusReply<HostVersions>> replyTo) {
        List<ActorRef<StatusReply<HostVersions>>> waiting = keepWaiting.get(s.version());
        if (waiting == null) {
            waiting = new ArrayList<>();
            keepWaiting.put(s.version(), waiting);
            // not awaited: the host a port left has nothing to learn (its own unbinding removed the port's flows)
            tellAgain(s, hostsOf(s.boundMembers()), false, null);
        }
        waiting.add(replyTo);
    }

    /** A fan-out's outcome, back in the actor. */
    void told(Told t) {
        if (t.reply().isSuccess()) {
            allHostsHold = Math.max(allHostsHold, t.version());
        }
        if (t.keep()) {
            List<ActorRef<StatusReply<HostVersions>>> waiting = keepWaiting.remove(t.version());
            if (waiting != null) {
                waiting.forEach(r -> r.tell(t.reply()));
            }
        }
    }

    /** The hosts the members are bound on, the hosts moving members move to included. */
    static Set<String> hostsOf(SwitchMembers members) {
        Set<String> hosts = new TreeSet<>();
        for (SwitchMembers.Member m : members.members()) {
            hosts.add(m.host());
            if (m.isMoving()) {
                hosts.add(m.movingTo());
            }
        }
        return hosts;
    }

    /**
     * Every host that carries the switch, and the one the port left ({@code informed}: the hosts before the change),
     * learns of the change. Hosts that had a bound member before (so hold the list) get only the change; the others
     * the whole list.
     */
    void tellChange(SwitchState s, Set<String> informed, boolean await, ActorRef<StatusReply<HostVersions>> replyTo) {
        SwitchMembers members = s.boundMembers();
        Set<String> hosts = new TreeSet<>(informed);
        hosts.addAll(hostsOf(members));
        Set<String> newHosts = new TreeSet<>(hosts);
        newHosts.removeAll(informed);
        // the whole list travels only when some host needs it
        var update = new HostFanout.Update(switchId, s.lastChange(), newHosts.isEmpty() ? null : members, newHosts);
        inform(update, hosts, await, s.version(), replyTo);
    }

    /**
     * Tells the hosts of the switch the last change again. A host that holds the version before it takes it, one that
     * holds it already ignores it, one further behind fetches the whole list. Hosts of no bound member have nothing
     * to learn, but the host a repeated unbinding names ({@link SwitchProtocol.SetBinding#leftHost}) is among {@code hosts}: its
     * answer (its plan version, realized or not) covers its own unbinding of the port. {@code replyTo} null: the
     * fan-out {@link SwitchProtocol.KeepBinding}s wait for.
     */
    void tellAgain(SwitchState s, Set<String> hosts, boolean await, ActorRef<StatusReply<HostVersions>> replyTo) {
        if (hosts.isEmpty()) {
            told(s.version(), replyTo, StatusReply.success(new HostVersions(Map.of(), List.of())));
        } else if (s.lastChange() != null) {
            inform(new HostFanout.Update(switchId, s.lastChange(), null, Set.of()), hosts, await, s.version(), replyTo);
        } else { // a state from a snapshot older than lastChange: the whole list to every host
            inform(new HostFanout.Update(switchId, null, s.boundMembers(), hosts), hosts, await, s.version(), replyTo);
        }
    }

    /**
     * The reply waits for every host in {@code hosts}: their plan versions and, when awaited, those whose agents did
     * not acknowledge in time. One message per controller node, not one ask per host: see {@link HostFanout}. The
     * switch learns the outcome too ({@link Told}).
     */
    void inform(
            HostFanout.Update update,
            Set<String> hosts,
            boolean await,
            long version,
            ActorRef<StatusReply<HostVersions>> replyTo) {
        Duration timeout = await ? askTimeout.plus(realizeTimeout) : askTimeout;
        hostNotifier.inform(update, hosts, await, timeout).whenComplete((applied, e) -> {
            if (e != null) {
                told(
                        version,
                        replyTo,
                        Errors.unavailable(
                                "a host of switch " + switchId + " did not take the change: " + Errors.words(e)));
                return;
            }
            Map<String, Long> versions = new HashMap<>();
            List<String> behind = new ArrayList<>();
            applied.forEach((h, a) -> {
                versions.put(h, a.version());
                if (await && !a.realized()) {
                    behind.add(h);
                }
            });
            behind.sort(null);
            told(version, replyTo, StatusReply.success(new HostVersions(versions, behind)));
        });
    }

    /** A fan-out's answer, to its asker ({@code replyTo} null: to the {@link SwitchProtocol.KeepBinding}s) and to the switch. */
    private void told(long version, ActorRef<StatusReply<HostVersions>> replyTo, StatusReply<HostVersions> reply) {
        if (replyTo != null) {
            replyTo.tell(reply);
        }
        self.tell(new Told(version, replyTo == null, reply));
    }
}
