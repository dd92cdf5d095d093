package io.portmesh.sharding.host;

import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.openflow.plan.OpenFlowToPlan;
import io.portmesh.openflow.plan.PlanToOpenFlow;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.OpenFlowBytes;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFGroupDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * The runtime half of a Host entity: its agents' connections, mastership per agent slot, what was pushed to each
 * master, and realization. Nothing here is persisted but the master generation (by the entity): after a restart the
 * sessions register again (they re-announce themselves every second), a master is elected with a higher generation,
 * and reconciliation reads the agent's flows, so nothing has to be remembered.
 */
final class HostSouthbound {
    private record Session(ActorRef<SessionCommand> ref, String slot, String dpid, String node, String remote) {}

    private record Waiter(long version, ActorRef<StatusReply<Done>> replyTo, long deadlineNanos) {}

    private final ActorContext<HostEntity.Command> ctx;
    private final String selfNode;
    private final Duration realizeTimeout;
    private final PlanToOpenFlow encoder = new PlanToOpenFlow(OFFactories.getFactory(OFVersion.OF_13));
    private final Map<ActorRef<SessionCommand>, Session> sessions = new LinkedHashMap<>();
    private final Map<String, ActorRef<SessionCommand>> masterBySlot = new HashMap<>();
    /** What each slot's master has been sent (null while it is being read back): diffs start from it. */
    private final Map<String, FlowPlan> pushedBySlot = new HashMap<>();

    private final Map<String, Long> ackedBySlot = new HashMap<>();
    private final Map<String, Integer> ackedFlowsBySlot = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private long compiledVersion = -1;
    private FlowPlan compiled = FlowPlan.EMPTY;
    private long flowModsSent;

    HostSouthbound(ActorContext<HostEntity.Command> ctx, String selfNode, Duration realizeTimeout) {
        this.ctx = ctx;
        this.selfNode = selfNode;
        this.realizeTimeout = realizeTimeout;
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
            pushedBySlot.remove(c.slot());
            ackedBySlot.remove(c.slot());
            return true;
        }
        c.session().tell(new SessionCommand.SetRole(false, s.generation()));
        return false;
    }

    /** @return true when another connection of the slot takes over as master. */
    boolean disconnected(ActorRef<SessionCommand> ref) {
        Session gone = sessions.remove(ref);
        if (gone == null || !ref.equals(masterBySlot.get(gone.slot()))) {
            return false;
        }
        masterBySlot.remove(gone.slot());
        pushedBySlot.remove(gone.slot());
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

    /** After a generation was persisted: roles to everybody, and a reconciliation read on each master not yet read. */
    void announceRoles(HostState s) {
        sessions.values().forEach(x -> {
            boolean master = x.ref().equals(masterBySlot.get(x.slot()));
            x.ref().tell(new SessionCommand.SetRole(master, s.generation()));
            if (master && !pushedBySlot.containsKey(x.slot())) {
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
        pushedBySlot.put(x.slot(), installed);
        push(x.slot(), s);
    }

    void planChanged(HostState s) {
        new ArrayList<>(masterBySlot.keySet()).forEach(slot -> push(slot, s));
    }

    private void push(String slot, HostState s) {
        FlowPlan pushed = pushedBySlot.get(slot);
        if (pushed == null) {
            return; // still reading what the agent has; the read's reply pushes
        }
        FlowPlan desired = plan(s);
        FlowDiff diff = desired.diffFrom(pushed);
        byte[] bytes = OpenFlowBytes.encode(encoder.messages(diff));
        masterBySlot.get(slot).tell(new SessionCommand.Push(s.planVersion(), bytes, diff.size(), ctx.getSelf()));
        flowModsSent += diff.size();
        pushedBySlot.put(slot, desired);
    }

    private FlowPlan plan(HostState s) {
        if (compiledVersion != s.planVersion()) {
            compiled = s.plan();
            compiledVersion = s.planVersion();
        }
        return compiled;
    }

    void acked(ActorRef<SessionCommand> ref, long version) {
        Session x = sessions.get(ref);
        if (x == null || !ref.equals(masterBySlot.get(x.slot()))) {
            return;
        }
        ackedBySlot.merge(x.slot(), version, Math::max);
        ackedFlowsBySlot.put(
                x.slot(),
                pushedBySlot.getOrDefault(x.slot(), FlowPlan.EMPTY).flows().size());
        completeWaiters();
    }

    void pushFailed(ActorRef<SessionCommand> ref, String reason) {
        Session x = sessions.get(ref);
        if (x == null || !ref.equals(masterBySlot.get(x.slot()))) {
            return;
        }
        ctx.getLog()
                .warn(
                        "push to {} slot {} failed ({}); reading its flows again",
                        ctx.getSelf().path().name(),
                        x.slot(),
                        reason);
        pushedBySlot.remove(x.slot());
        ref.tell(new SessionCommand.Reconcile(ctx.getSelf()));
    }

    void await(long version, ActorRef<StatusReply<Done>> replyTo) {
        if (realized(version)) {
            replyTo.tell(StatusReply.ack());
            return;
        }
        long now = System.nanoTime();
        waiters.removeIf(w -> now - w.deadlineNanos() > 0); // the asker has given up on these
        waiters.add(new Waiter(version, replyTo, now + realizeTimeout.toNanos()));
    }

    private void completeWaiters() {
        waiters.removeIf(w -> {
            if (realized(w.version())) {
                w.replyTo().tell(StatusReply.ack());
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
                plan(s).flows().size(),
                installed,
                s.generation(),
                realized(s.planVersion()),
                flowModsSent);
    }

    private boolean isLocal(Session x) {
        return x != null && selfNode.equals(x.node());
    }
}
