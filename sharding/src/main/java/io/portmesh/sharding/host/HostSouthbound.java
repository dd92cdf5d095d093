package io.portmesh.sharding.host;

import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.openflow.plan.OpenFlowToPlan;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.OpenFlowBytes;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * The runtime half of a Host entity: its desired plan ({@link HostPlan}), its agents' connections, mastership per
 * agent slot, what was pushed to each master, and realization. Nothing here is persisted but the master generation
 * (by the entity): after a restart the sessions register again (they re-register when this entity stops, and every announce-interval), a master is
 * elected with a higher generation, reconciliation reads the agent's flows and the switches send their member lists
 * again, so nothing has to be remembered.
 *
 * <p>A master gets the difference between its flows as read and the whole plan once, then every later change as the
 * diff of the one slice that changed.
 */
final class HostSouthbound {
    private record Session(ActorRef<SessionCommand> ref, String slot, String dpid, String node, String remote) {}

    /** A push: the plan version it brings the agent to, the plan's flow count then, and when it was sent. */
    private record Pushed(long version, int flows, long sentNanos) {}

    /** Someone waiting until the agents acknowledge {@code version}: told true then, or false at the deadline. */
    private record Waiter(long version, Consumer<Boolean> done, long deadlineNanos) {}

    /** Pushes timed per slot at most (an agent that stops answering is declared dead long before). */
    private static final int MAX_TIMED_PUSHES = 1024;

    private final ActorContext<HostEntity.Command> ctx;
    private final String selfNode;
    private final Duration realizeTimeout;
    private final PlanToOpenFlow encoder = new PlanToOpenFlow(OFFactories.getFactory(OFVersion.OF_13));
    private final Map<ActorRef<SessionCommand>, Session> sessions = new LinkedHashMap<>();
    private final Map<String, ActorRef<SessionCommand>> masterBySlot = new HashMap<>();
    private final HostPlan plan = new HostPlan();
    /** Masters that have the whole plan up to the last change: every change goes to them as a diff. */
    private final Set<String> syncedSlots = new HashSet<>();
    /** Masters whose flows were read, waiting for the plan to be complete before the first (whole) push. */
    private final Map<String, FlowPlan> readBySlot = new HashMap<>();
    /**
     * Per slot: the pushes its master has not acknowledged yet, oldest first. A barrier acknowledges every push before
     * it: the last one it covers says how many flows the agent has, and each is timed for the push latency metric.
     */
    private final Map<String, ArrayDeque<Pushed>> unackedBySlot = new HashMap<>();

    private final Map<String, Long> ackedBySlot = new HashMap<>();
    private final Map<String, Integer> ackedFlowsBySlot = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    /** Plan changes in this incarnation: the low half of the plan version. */
    private long changes;

    private long flowModsSent;
    private final NodeMetrics metrics;

    HostSouthbound(ActorContext<HostEntity.Command> ctx, String selfNode, Duration realizeTimeout) {
        this.ctx = ctx;
        this.selfNode = selfNode;
        this.realizeTimeout = realizeTimeout;
        this.metrics = NodeMetrics.get(ctx.getSystem());
    }

    /** @return true when a new master must be elected (the entity persists the generation, then announces). */
    boolean connected(HostState s, HostEntity.AgentConnected c) {
        if (sessions.containsKey(c.session())) {
            return false; // the session's periodic re-announcement
        }
        sessions.put(c.session(), new Session(c.session(), c.slot(), c.dpid(), c.node(), c.remote()));
        ctx.watchWith(c.session(), new HostEntity.AgentDisconnected(c.session()));
        ActorRef<SessionCommand> master = masterBySlot.get(c.slot());
        if (master == null || (!isLocal(sessions.get(master)) && selfNode.equals(c.node()))) {
            masterBySlot.put(c.slot(), c.session());
            forgetSync(c.slot());
            ackedBySlot.remove(c.slot());
            return true;
        }
        c.session().tell(new SessionCommand.SetRole(false, s.generation(), ctx.getSelf()));
        return false;
    }

    /** @return true when another connection of the slot takes over as master. */
    boolean disconnected(ActorRef<SessionCommand> ref) {
        Session gone = sessions.remove(ref);
        if (gone == null || !ref.equals(masterBySlot.get(gone.slot()))) {
            return false;
        }
        masterBySlot.remove(gone.slot());
        forgetSync(gone.slot());
        ackedBySlot.remove(gone.slot());
        ackedFlowsBySlot.remove(gone.slot());
        ctx.getLog()
                .info(
                        "master connection of {} slot {} on {} is gone",
                        ctx.getSelf().path().name(),
                        gone.slot(),
                        gone.node());
        return sessions.values().stream()
                .filter(x -> x.slot().equals(gone.slot()))
                .min(Comparator.comparing(x -> isLocal(x) ? 0 : 1))
                .map(next -> {
                    masterBySlot.put(gone.slot(), next.ref());
                    return true;
                })
                .orElse(false);
    }

    /** A new master is being elected (the entity persists its generation, then calls {@link #announceRoles}). */
    void masterElected() {
        metrics.masterElections.inc();
    }

    /** After a generation was persisted: roles to everybody, and a reconciliation read on each master not yet read. */
    void announceRoles(HostState s) {
        sessions.values().forEach(x -> {
            boolean master = x.ref().equals(masterBySlot.get(x.slot()));
            x.ref().tell(new SessionCommand.SetRole(master, s.generation(), ctx.getSelf()));
            if (master && !syncedSlots.contains(x.slot()) && !readBySlot.containsKey(x.slot())) {
                x.ref().tell(new SessionCommand.Reconcile(ctx.getSelf()));
            }
        });
    }

    void installed(HostState s, HostEntity.Installed c) {
        Session x = sessions.get(c.session());
        if (x == null || !c.session().equals(masterBySlot.get(x.slot()))) {
            return; // a read from a connection that lost mastership meanwhile
        }
        FlowPlan installed = OpenFlowToPlan.installed(
                OpenFlowBytes.decode(c.flowStats(), OFFlowStatsReply.class).stream()
                        .flatMap(r -> r.getEntries().stream())
                        .toList(),
                OpenFlowBytes.decode(c.groupDesc(), OFGroupDescStatsReply.class).stream()
                        .flatMap(r -> r.getEntries().stream())
                        .toList());
        readBySlot.put(x.slot(), installed);
        metrics.reconciliations.inc();
        pushWholePlans(s);
    }

    /** After recovery: the plan from the persisted bindings; the switches' member lists are being fetched. */
    void recovered(HostState s, Set<String> fetching) {
        plan.rebuild(s, fetching);
    }

    /** This host's own bindings of a switch changed. @return the plan version that includes the change */
    long localsChanged(HostState s, String switchId, int vni) {
        return publish(s, plan.localsChanged(s, switchId, vni));
    }

    /** A switch's member list arrived. @return the plan version that includes it */
    long membersChanged(HostState s, String switchId, SwitchMembers members) {
        boolean wasComplete = plan.complete();
        long v = publish(s, plan.membersChanged(s, switchId, members));
        if (!wasComplete && plan.complete()) {
            ctx.getLog().debug("{}: member lists complete, pushing to the masters read meanwhile", s.id());
            pushWholePlans(s);
        }
        return v;
    }

    /**
     * One member of a switch changed. @return the plan version that includes it, or -1 when this host needs the whole
     * list first
     */
    long memberChanged(HostState s, String switchId, SwitchMembers.Change change) {
        FlowDiff diff = plan.memberChanged(s, switchId, change);
        return diff == null ? -1 : publish(s, diff);
    }

    long heldVersion(String switchId) {
        return plan.heldVersion(switchId);
    }

    Set<String> loading() {
        return plan.loading();
    }

    /** Monotonic across restarts: the persisted generation grows with every new master, and so after every restart. */
    long version(HostState s) {
        return (s.generation() << 32) | changes;
    }

    /** Sends a change of the plan to every master that has the plan before it. */
    private long publish(HostState s, FlowDiff diff) {
        if (diff.isEmpty()) {
            return version(s);
        }
        changes++;
        long v = version(s);
        if (!syncedSlots.isEmpty()) {
            byte[] bytes = OpenFlowBytes.encode(encoder.messages(diff));
            syncedSlots.forEach(slot -> send(slot, v, bytes, diff.size()));
        }
        return v;
    }

    /** Masters whose flows were read get the difference to the whole plan, once the plan is complete. */
    private void pushWholePlans(HostState s) {
        if (!plan.complete() || readBySlot.isEmpty()) {
            return;
        }
        FlowPlan desired = plan.full();
        long v = version(s);
        readBySlot.forEach((slot, installed) -> {
            FlowDiff diff = desired.diffFrom(installed);
            send(slot, v, OpenFlowBytes.encode(encoder.messages(diff)), diff.size());
            syncedSlots.add(slot);
        });
        readBySlot.clear();
    }

    private void send(String slot, long version, byte[] bytes, int count) {
        masterBySlot.get(slot).tell(new SessionCommand.Push(version, bytes, count, ctx.getSelf()));
        flowModsSent += count;
        metrics.flowMods.inc(count);
        metrics.pushes.inc();
        ArrayDeque<Pushed> unacked = unackedBySlot.computeIfAbsent(slot, s -> new ArrayDeque<>());
        if (unacked.size() == MAX_TIMED_PUSHES) {
            unacked.poll(); // an agent that stopped answering: its connection is about to be declared dead
        }
        unacked.add(new Pushed(version, plan.flowCount(), System.nanoTime()));
    }

    void acked(ActorRef<SessionCommand> ref, long version) {
        Session x = sessions.get(ref);
        if (x == null || !ref.equals(masterBySlot.get(x.slot()))) {
            return;
        }
        ackedBySlot.merge(x.slot(), version, Math::max);
        ArrayDeque<Pushed> unacked = unackedBySlot.get(x.slot());
        long now = System.nanoTime();
        while (unacked != null && !unacked.isEmpty() && unacked.peek().version() <= version) {
            Pushed p = unacked.poll();
            metrics.pushSeconds.observe((now - p.sentNanos()) / 1e9);
            ackedFlowsBySlot.put(x.slot(), p.flows());
        }
        completeWaiters();
    }

    void pushFailed(ActorRef<SessionCommand> ref, String reason) {
        Session x = sessions.get(ref);
        if (x == null || !ref.equals(masterBySlot.get(x.slot()))) {
            return;
        }
        metrics.pushFailures.inc();
        ctx.getLog()
                .warn(
                        "push to {} slot {} failed ({}); reading its flows again",
                        ctx.getSelf().path().name(),
                        x.slot(),
                        reason);
        forgetSync(x.slot());
        ref.tell(new SessionCommand.Reconcile(ctx.getSelf()));
    }

    /** A new master (or a failed push): its flows must be read again before anything is pushed to it. */
    private void forgetSync(String slot) {
        syncedSlots.remove(slot);
        readBySlot.remove(slot);
        unackedBySlot.remove(slot);
    }

    /**
     * Calls {@code done} with true once every master acknowledged {@code version}, or with false when the realization
     * timeout passes first (the entity gets {@link HostEntity.ExpireWaiters} then).
     */
    void await(long version, Consumer<Boolean> done) {
        if (realized(version)) {
            done.accept(true);
            return;
        }
        waiters.add(new Waiter(version, done, System.nanoTime() + realizeTimeout.toNanos()));
        ctx.scheduleOnce(realizeTimeout, ctx.getSelf(), new HostEntity.ExpireWaiters());
    }

    void expireWaiters() {
        long now = System.nanoTime();
        waiters.removeIf(w -> {
            if (now - w.deadlineNanos() >= 0) {
                w.done().accept(false);
                return true;
            }
            return false;
        });
    }

    private void completeWaiters() {
        waiters.removeIf(w -> {
            if (realized(w.version())) {
                w.done().accept(true);
                return true;
            }
            return false;
        });
    }

    /** Every agent slot with a master has acknowledged the version (and there is at least one). */
    private boolean realized(long version) {
        return !masterBySlot.isEmpty()
                && masterBySlot.keySet().stream().allMatch(slot -> ackedBySlot.getOrDefault(slot, -1L) >= version);
    }

    HostInfo info(HostState s) {
        List<HostInfo.AgentInfo> agents = sessions.values().stream()
                .sorted(Comparator.comparing(Session::slot).thenComparing(Session::node))
                .map(x -> new HostInfo.AgentInfo(
                        x.slot(),
                        x.dpid(),
                        x.node(),
                        x.ref().equals(masterBySlot.get(x.slot())) ? "MASTER" : "SLAVE",
                        x.remote()))
                .toList();
        int installed = ackedFlowsBySlot.values().stream()
                .mapToInt(Integer::intValue)
                .min()
                .orElse(0);
        return new HostInfo(
                s.id(),
                s.tunnelIp(),
                agents,
                s.bindings().size(),
                plan.flowCount(),
                installed,
                s.generation(),
                realized(version(s)),
                flowModsSent);
    }

    private boolean isLocal(Session x) {
        return x != null && selfNode.equals(x.node());
    }
}
