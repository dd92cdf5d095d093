package io.portmesh.sharding.host;

import io.portmesh.model.flow.FlowDiff;
import io.portmesh.model.flow.FlowPlan;
import io.portmesh.openflow.OpenFlowBytes;
import io.portmesh.openflow.plan.PlanWire;
import io.portmesh.openflow.plan.TrunkWire;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The runtime half of a Host entity: its desired plan ({@link HostPlan}), its agent slots ({@link AgentSlot}: each
 * switch VM's connections, master and sync state) and realization. Nothing here is persisted but the master
 * generation (by the entity): after a restart the sessions register again (they re-register when this entity stops,
 * and every announce-interval), a master is elected with a higher generation, reconciliation reads the agent's flows
 * and the switches send their member lists again, so nothing has to be remembered.
 *
 * <p>A master gets the difference between its flows as read and the whole plan once, then every later change as the
 * diff of the one slice that changed. This class sees the plan as model types and the wire as bytes
 * ({@link PlanWire}); OpenFlow itself stays in the openflow module.
 */
final class HostSouthbound {
    private final ActorContext<HostProtocol.Command> ctx;
    private final String selfNode;
    private final HostPlan plan = new HostPlan();
    /** By slot name, in name order (a, b). */
    private final Map<String, AgentSlot> slots = new TreeMap<>();
    /** The slots' reads that arrive in parts (a switch with more flows than one cross-node message carries). */
    private final InstalledParts installedParts = new InstalledParts();
    /** Which slot's trunk is up, and when to fail over (shares {@link #slots}). */
    private final HostTrunks trunks;

    private final RealizationWaiters waiters;
    /** Plan changes in this incarnation: the low half of the plan version. */
    private long changes;

    private final PlanConflictGauge conflicts;
    private final StaleRoles staleRoles;

    private long flowModsSent;
    private final NodeMetrics metrics;

    HostSouthbound(ActorContext<HostProtocol.Command> ctx, String selfNode, Duration realizeTimeout) {
        this.ctx = ctx;
        this.selfNode = selfNode;
        this.waiters = new RealizationWaiters(ctx, realizeTimeout);
        this.conflicts = new PlanConflictGauge(ctx, NodeMetrics.get(ctx.getSystem()));
        this.staleRoles = new StaleRoles(ctx, NodeMetrics.get(ctx.getSystem()));
        this.metrics = NodeMetrics.get(ctx.getSystem());
        this.trunks = new HostTrunks(ctx, slots, metrics);
    }

    /** The trunk and failover rules of this host's slots. */
    HostTrunks trunks() {
        return trunks;
    }

    /** @return true when a new master must be elected (the entity persists the generation, then announces). */
    boolean connected(HostState s, HostProtocol.AgentConnected c) {
        if (slotOf(c.session()).isPresent()) {
            return false; // the session's periodic re-announcement
        }
        AgentSlot slot = slots.computeIfAbsent(c.slot(), AgentSlot::new);
        if (c.slot().equals(s.activeSlot())) {
            trunks.activeBack();
        }
        slot.connections.put(
                c.session(), new AgentSlot.Connection(c.session(), c.dpid(), c.node(), c.remote(), c.keySha256()));
        ctx.watchWith(c.session(), new HostProtocol.AgentDisconnected(c.session()));
        ActorRef<SessionCommand> master = slot.master();
        if (master == null || (!isLocal(slot.connections.get(master)) && selfNode.equals(c.node()))) {
            slot.elect(c.session());
            return true;
        }
        c.session().tell(new SessionCommand.SetRole(false, s.generation(), ctx.getSelf()));
        return false;
    }

    /**
     * Refuses every connection the host's new pins do not fit (the session closes it) and forgets it at once, as if
     * it had disconnected: until its remote session closed, a push would still have gone to a refused master. Its
     * end, when it comes, finds no connection here and changes nothing.
     *
     * @return the slots whose master was refused and that keep other connections: the entity elects one of them
     *     after {@link HostEntity#MASTER_SETTLE}
     */
    List<String> refuseUnpinned(HostState s) {
        Map<ActorRef<SessionCommand>, String> refused = new LinkedHashMap<>();
        slots.values()
                .forEach(slot -> slot.connections
                        .values()
                        .forEach(x -> HostPins.refusal(s, slot.name, x.keySha256(), x.dpid())
                                .ifPresent(refuse -> {
                                    x.ref().tell(refuse);
                                    refused.put(x.ref(), slot.name);
                                })));
        List<String> electIn = new ArrayList<>();
        refused.forEach((ref, slot) -> {
            if (disconnected(s, ref)) {
                electIn.add(slot);
            }
        });
        return electIn;
    }

    /**
     * A session is gone. @return true when it was its slot's master and other connections remain: the entity elects
     * one of them after {@link HostEntity#MASTER_SETTLE} ({@link #electAfterSettle})
     */
    boolean disconnected(HostState s, ActorRef<SessionCommand> ref) {
        Optional<AgentSlot> found = slotOf(ref);
        if (found.isEmpty()) {
            return false;
        }
        AgentSlot slot = found.get();
        AgentSlot.Connection gone = slot.connections.remove(ref);
        if (slot.connections.isEmpty() && slot.name.equals(s.activeSlot())) {
            trunks.activeGone();
        }
        if (!slot.isMaster(ref)) {
            if (slot.connections.isEmpty()) {
                applyTrunks(s); // the slot is gone, master or not: another may come up
            }
            return false;
        }
        ctx.getLog()
                .info(
                        "master connection of {} slot {} on {} is gone",
                        ctx.getSelf().path().name(),
                        slot.name,
                        gone.node());
        slot.noMaster();
        completeWaiters(); // a slot without master no longer holds back realization
        if (slot.connections.isEmpty()) {
            applyTrunks(s); // a slot gone cannot forward: another may come up
            return false;
        }
        return true;
    }

    /**
     * A slot that lost its master elects one of its remaining connections, unless they went meanwhile (an agent that
     * dies closes all its connections at once: waiting {@link HostEntity#MASTER_SETTLE} spares a generation write
     * that would only delay its failover) or another was elected already. @return true when a master was elected
     */
    boolean electAfterSettle(String slotName) {
        AgentSlot slot = slots.get(slotName);
        if (slot == null || slot.master() != null || slot.connections.isEmpty()) {
            return false;
        }
        slot.elect(slot.successor(this::isLocal).orElseThrow());
        return true;
    }

    /**
     * An agent refused a role request as stale or demoted a connection ({@link StaleRoles}). @return the generation
     * to elect with now, or -1 (nothing to elect, or the refusal waits for the election spacing)
     */
    long roleRefused(HostState s, HostProtocol.RoleStale c) {
        return slotOf(c.session()).map(slot -> staleRoles.refused(s, slot, c)).orElse(-1L);
    }

    /** A refusal that waited for the election spacing, or null. */
    HostProtocol.RoleStale takePendingStale() {
        return staleRoles.takePending();
    }

    /** A new master is being elected (the entity persists its generation, then calls {@link #announceRoles}). */
    void masterElected() {
        metrics.masterElections.inc();
    }

    /** After a generation was persisted: roles to everybody, and a reconciliation read on each master not yet read. */
    void announceRoles(HostState s) {
        slots.values().forEach(slot -> {
            slot.connections
                    .values()
                    .forEach(x -> x.ref()
                            .tell(new SessionCommand.SetRole(slot.isMaster(x.ref()), s.generation(), ctx.getSelf())));
            if (slot.master() != null && slot.sync() == AgentSlot.Sync.UNREAD) {
                read(slot);
            }
        });
    }

    private void read(AgentSlot slot) {
        slot.master().tell(new SessionCommand.Reconcile(slot.startRead(), ctx.getSelf()));
    }

    void installed(HostState s, HostProtocol.Installed part) {
        Optional<AgentSlot> slot = slotOf(part.session());
        if (slot.isEmpty()) {
            return;
        }
        Optional<HostProtocol.Installed> whole = installedParts.add(slot.get().name, part);
        if (whole.isEmpty()) {
            return;
        }
        HostProtocol.Installed c = whole.get();
        PlanWire.Installed installed;
        Optional<TrunkWire.Trunk> trunk;
        try {
            installed = PlanWire.decodeInstalled(c.flowStats(), c.groupDesc());
            trunk = TrunkWire.decode(c.portDesc());
        } catch (RuntimeException e) { // whatever an agent reports must not stop the entity
            pushFailed(c.session(), c.seq(), "unreadable flow table: " + e.getMessage());
            return;
        }
        if (slot.get().readArrived(c.session(), c.seq(), installed, trunk)) {
            metrics.reconciliations.inc();
            pushWholePlans(s);
            applyTrunks(s); // a trunk now known down may let the other slot's come up
        }
    }

    /** After recovery: the plan from the persisted bindings; the switches' member lists are being fetched. */
    void recovered(HostState s, Set<String> fetching) {
        plan.rebuild(s, fetching);
    }

    /** This host's own bindings of a switch changed. @return the plan version that includes the change */
    long localsChanged(HostState s, String switchId, int vni) {
        return publish(s, plan.localsChanged(s, switchId, vni));
    }

    /** Whether {@code port} moved away from here within its straggler grace: see {@link HostPlan#departing}. */
    boolean departing(String port) {
        return plan.departing(port);
    }

    /** A port bound here in {@code before} is being let go of: see {@link HostPlan#letGo}. @return its token or -1 */
    long letGo(HostState before, String port, java.time.Duration grace) {
        return plan.letGo(before, port, grace);
    }

    /** A departed port's straggler grace ended: its flow goes. @return the plan version, or -1 when nothing changed */
    long departureOver(HostState s, String port, long token) {
        FlowDiff diff = plan.departureOver(s, port, token);
        return diff == null ? -1 : publish(s, diff);
    }

    /** A switch's member list arrived. @return the plan version that includes it */
    long membersChanged(HostState s, String switchId, SwitchMembers members) {
        return publish(s, plan.membersChanged(s, switchId, members));
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

    /**
     * Monotonic across restarts: the persisted generation grows with every new master and with every incarnation of
     * the entity (see HostEntity's start), and the low half counts this incarnation's changes.
     */
    long version(HostState s) {
        return (s.generation() << 32) | changes;
    }

    /**
     * Sends a change of the plan to every master that has the plan before it, and the whole plan to masters read
     * meanwhile if this change completed it (the last switch being fetched may also leave by an unbinding).
     */
    private long publish(HostState s, FlowDiff diff) {
        conflicts.note(plan);
        if (diff.isEmpty()) {
            pushWholePlans(s);
            return version(s);
        }
        changes++;
        long v = version(s);
        byte[] bytes = null;
        for (AgentSlot slot : slots.values()) {
            if (slot.sync() == AgentSlot.Sync.SYNCED) {
                if (bytes == null) {
                    bytes = PlanWire.encode(diff); // once for every slot
                }
                send(slot, v, bytes, diff.size());
            }
        }
        pushWholePlans(s); // after the diff: a slot read meanwhile gets the whole plan, not the diff on top
        return v;
    }

    /** The entity stops: its conflicts leave this node's gauge. */
    void stopped() {
        conflicts.stopped();
    }

    /** Masters whose flows were read get the difference to the whole plan, once the plan is complete. */
    private void pushWholePlans(HostState s) {
        if (!plan.complete()) {
            return;
        }
        FlowPlan desired = null;
        long v = version(s);
        for (AgentSlot slot : slots.values()) {
            if (slot.sync() != AgentSlot.Sync.READ) {
                continue;
            }
            if (desired == null) {
                desired =
                        plan.full(overlap -> ctx.getLog().warn("{}: overlapping slices, left out {}", s.id(), overlap));
            }
            PlanWire.Installed installed = slot.read();
            FlowDiff diff = desired.diffFrom(installed.plan());
            int count = diff.size() + installed.unreadableCookies().size();
            byte[] bytes = PlanWire.encodeReconciliation(installed.unreadableCookies(), diff);
            Boolean trunk = trunks.change(s, slot);
            if (trunk != null) { // the trunk first: a standby's goes down before anything else reaches it
                bytes = concat(trunkChange(s, slot, trunk), bytes);
                count += 1; // the PORT_MOD; the activation before an up changes no flow
            } else if (Boolean.TRUE.equals(slot.trunkUp()) && activationEpoch(s, slot) >= 0) {
                // a trunk found up keeps the epoch of its last activation, which may be older than the host's (the
                // agent restarted, or a failover happened since): its pair fence must compare the current one
                bytes = concat(TrunkWire.activation(activationEpoch(s, slot)), bytes);
            }
            send(slot, v, bytes, count, trunk);
        }
    }

    private static byte[] trunkChange(HostState s, AgentSlot slot, boolean up) {
        return TrunkWire.trunkChange(slot.trunkHw(), up, activationEpoch(s, slot));
    }

    /**
     * The epoch a trunk-up tells the agent (the pair fence, docs/architecture.md section 7.2): the host's, once it has a
     * second slot (its agents are a pair); -1, no activation message, for a host with one agent, which may be a stock
     * Open vSwitch that would refuse Portmesh's experimenter message. A slot other than the active one (the old
     * active a planned failover holds up while the peers are re-pointed) stands for the epoch before: were both up,
     * the active one's newer epoch wins the fence, not the tie rule (the lower slot).
     */
    private static long activationEpoch(HostState s, AgentSlot slot) {
        if (s.slotEndpoints().isEmpty()) {
            return -1;
        }
        return slot.name.equals(s.activeSlot()) ? s.endpointEpoch() : Math.max(0, s.endpointEpoch() - 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Sends the PORT_MODs that are due on slots in sync (after a failover, a trunk confirmed down, a slot lost).
     * Slots not in sync get theirs with the whole plan after their read.
     */
    void applyTrunks(HostState s) {
        for (AgentSlot slot : slots.values()) {
            if (slot.sync() != AgentSlot.Sync.SYNCED) {
                continue;
            }
            Boolean trunk = trunks.change(s, slot);
            if (trunk != null) {
                ctx.getLog()
                        .info("{}: trunk of slot {} {}", s.id(), slot.name, trunk ? "up (active)" : "down (standby)");
                send(
                        slot,
                        version(s),
                        trunkChange(s, slot, trunk),
                        1, // the PORT_MOD: an activation is no flow-mod
                        trunk);
            }
        }
    }

    /**
     * An agent reported its trunk (OFPT_PORT_STATUS). A state this sync did not know (the agent's pair fence took the
     * trunk down, docs/architecture.md section 7.2) is taken as a read would be, and the trunks are brought to what is
     * wanted: the forwarding slot's up again ({@link HostTrunks#change}), another's down. A report of what the
     * controller set, or from a slot not in sync, changes nothing. Nor does any report on a host with one agent (no
     * pair, so no fence): its trunk is learnt at the next read as before, and an operator who takes it down by hand
     * (ovs-ofctl mod-port) is not overruled within the second (issue 17: a host with one agent works as it did).
     */
    void trunkReported(HostState s, HostProtocol.TrunkReported c) {
        if (s.slotEndpoints().isEmpty()) {
            return;
        }
        Optional<AgentSlot> slot = slotOf(c.session());
        if (slot.isEmpty() || !slot.get().trunkReported(c.session(), c.up())) {
            return;
        }
        ctx.getLog()
                .warn(
                        "{}: the agent of slot {} reports its trunk {}, which the controllers did not ask for",
                        s.id(),
                        slot.get().name,
                        c.up() ? "up" : "down");
        applyTrunks(s); // a slot read but not pushed yet gets its trunk with the whole plan
    }

    /** Whether a session is the master of one of this host's slots (the connection its agent's packet-ins use). */
    boolean isMaster(ActorRef<SessionCommand> ref) {
        return slotOf(ref).map(slot -> slot.isMaster(ref)).orElse(false);
    }

    /** The master connection of a slot, or null (no such slot, or none elected). */
    ActorRef<SessionCommand> master(String slotName) {
        AgentSlot slot = slots.get(slotName);
        return slot == null ? null : slot.master();
    }

    /** The slot a session belongs to, or null. */
    String slotName(ActorRef<SessionCommand> ref) {
        return slotOf(ref).map(slot -> slot.name).orElse(null);
    }

    private void send(AgentSlot slot, long version, byte[] bytes, int count) {
        send(slot, version, bytes, count, null);
    }

    private void send(AgentSlot slot, long version, byte[] bytes, int count, Boolean trunk) {
        long seq = slot.pushed(version, plan.flowCount(), trunk, count);
        List<byte[]> parts = OpenFlowBytes.split(bytes, SessionCommand.PART_BYTES);
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            slot.master()
                    .tell(new SessionCommand.Push(seq, version, parts.get(i), last ? count : 0, ctx.getSelf(), !last));
        }
        flowModsSent += count;
        metrics.flowMods.inc(count);
        metrics.pushes.inc();
    }

    /** @return the trunk states this acknowledgement confirmed (empty: none) */
    List<Boolean> acked(HostState s, ActorRef<SessionCommand> ref, long seq) {
        Optional<AgentSlot> slot = slotOf(ref);
        if (slot.isEmpty()) {
            return List.of();
        }
        long now = System.nanoTime();
        List<Boolean> trunks = new java.util.ArrayList<>();
        for (AgentSlot.Pushed p : slot.get().acked(ref, seq)) {
            metrics.pushSeconds.observe((now - p.sentNanos()) / 1e9);
            metrics.flowModsAcknowledged.inc(p.flowMods());
            if (p.trunkUp() != null) {
                trunks.add(p.trunkUp());
            }
        }
        // a push's trunk state counts as confirmed only if the slot still holds it after the ack: a down report that
        // crossed the PORT_MOD up makes the slot take the ack as down (AgentSlot), and a re-assert follows
        boolean trunkAcked = !trunks.isEmpty();
        Boolean held = slot.get().trunkUp();
        trunks.removeIf(up -> !up.equals(held));
        completeWaiters();
        if (trunkAcked) {
            applyTrunks(s); // a trunk confirmed down lets the other come up; one taken as down is re-asserted
        }
        return trunks;
    }

    /** A push or read failed: the master's flows are unknown again, so they are read before anything else is sent. */
    void pushFailed(ActorRef<SessionCommand> ref, long seq, String reason) {
        Optional<AgentSlot> found = slotOf(ref);
        if (found.isEmpty() || !found.get().failureCounts(ref, seq)) {
            return;
        }
        AgentSlot slot = found.get();
        metrics.pushFailures.inc();
        ctx.getLog()
                .warn(
                        "push to {} slot {} failed ({}); reading its flows again",
                        ctx.getSelf().path().name(),
                        slot.name,
                        reason);
        slot.loseSync();
        long delay = slot.retryDelayMillis();
        if (delay == 0) {
            read(slot);
        } else {
            ctx.scheduleOnce(Duration.ofMillis(delay), ctx.getSelf(), new HostSelfMessage.ReadAgain(slot.name));
        }
    }

    /** A read deferred after failures: still wanted if the slot has a master whose flows are unknown. */
    void readAgain(String slotName) {
        AgentSlot slot = slots.get(slotName);
        if (slot != null && slot.master() != null && slot.sync() == AgentSlot.Sync.UNREAD) {
            read(slot);
        }
    }

    /**
     * Calls {@code done} with true once every agent slot's master acknowledged {@code version}, or with false when
     * the realization timeout passes first (the entity gets {@link HostSelfMessage.ExpireWaiters} then), and at once when no
     * agent is connected at all: a host that cannot realize anything says so without making its caller wait.
     */
    void await(long version, Consumer<Boolean> done) {
        if (realized(version)) {
            done.accept(true);
            return;
        }
        if (!hasAgent()) {
            done.accept(false);
            return;
        }
        waiters.add(version, done);
    }

    void expireWaiters() {
        waiters.expire();
    }

    private void completeWaiters() {
        waiters.complete(this::realized, !hasAgent());
    }

    /** At least one slot has a master (no list allocated: this runs on every acknowledgement). */
    private boolean hasAgent() {
        for (AgentSlot slot : slots.values()) {
            if (slot.master() != null) {
                return true;
            }
        }
        return false;
    }

    /** Every agent slot with a master has acknowledged the version (and there is at least one). */
    private boolean realized(long version) {
        boolean any = false;
        for (AgentSlot slot : slots.values()) {
            if (slot.master() != null) {
                if (!slot.realized(version)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    HostInfo info(HostState s) {
        List<HostInfo.AgentInfo> agents = slots.values().stream()
                .flatMap(slot -> slot.agentInfos().stream())
                .toList();
        int installed = AgentSlot.installedFlows(slots.values());
        List<HostInfo.SlotInfo> slotInfos = trunks.slotInfos(s);
        return new HostInfo(
                s.id(),
                s.activeTep(),
                agents,
                s.bindings().size(),
                plan.flowCount(),
                installed,
                s.generation(),
                realized(version(s)),
                flowModsSent,
                s.activeSlot(),
                slotInfos,
                s.pins());
    }

    private Optional<AgentSlot> slotOf(ActorRef<SessionCommand> ref) {
        for (AgentSlot slot : slots.values()) {
            if (slot.connections.containsKey(ref)) {
                return Optional.of(slot);
            }
        }
        return Optional.empty();
    }

    private boolean isLocal(AgentSlot.Connection x) {
        return x != null && selfNode.equals(x.node());
    }
}
