package io.portmesh.sharding.host;

import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.HostInfo;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The rules of a host's two switch VMs (docs/architecture.md section 7.2): which slot's trunk is to be up and when it
 * may come up (never while another slot may still forward), when the active agent counts as lost and which slot to
 * fail over to, and whether a planned failover may start. It reads the slots {@link HostSouthbound} keeps and decides;
 * HostSouthbound sends the PORT_MODs, the entity persists the failovers.
 */
final class HostTrunks {
    private final ActorContext<HostProtocol.Command> ctx;
    private final Map<String, AgentSlot> slots;
    private final NodeMetrics metrics;
    /** Trunks of the wanted slot that their agent took down are brought up again at this pace. */
    private final TrunkReasserts reasserts;
    /**
     * When this incarnation started to serve (see {@link #graceOver}): its start persisted after its recovery, the
     * sessions' announcements stashed until then; its construction until then. Not the construction: a Host recovering on a survivor of a loaded cluster took seconds to replay, and a grace timed from
     * the construction was over before the sessions could announce themselves to it, so a standby that announced
     * first was taken for the only live agent and the host failed over from a live active.
     */
    private long startedNanos = System.nanoTime();
    /**
     * While a planned failover re-points the peers, the slot whose trunk stays up (the old active) although the new
     * one is persisted: make-before-break. Null otherwise.
     */
    private String trunkHeldBy;
    /** The active slot lost its last connection in this incarnation (not just "not connected yet"). */
    private boolean activeLost;
    /** A host down (active gone, no standby ready) is reported once per loss, not on every event. */
    private boolean downReported;

    HostTrunks(ActorContext<HostProtocol.Command> ctx, Map<String, AgentSlot> slots, NodeMetrics metrics) {
        this.ctx = ctx;
        this.slots = slots;
        this.metrics = metrics;
        this.reasserts = new TrunkReasserts(ctx, metrics);
    }

    /**
     * The trunk state to set on {@code slot} now, or null. Up only on the slot that is to forward (the active one, or
     * the old active while a planned failover re-points the peers), and only once every other slot cannot forward
     * (its trunk confirmed down, or no connection left): two trunks are never up at once by the controller's doing.
     * A trunk that its agent took down while it was to forward (its pair fence) comes up again at the pace of
     * {@link TrunkReasserts}.
     */
    Boolean change(HostState s, AgentSlot slot) {
        if (slot.trunkHw() < 0 || slot.trunkChanging() || slot.master() == null) {
            return null;
        }
        boolean want = slot.name.equals(forwardingSlot(s));
        if (slot.trunkUp() != null && slot.trunkUp() == want) {
            return null;
        }
        if (want && !othersCannotForward(s, slot)) {
            return null;
        }
        if (want && slot.reportedDown() && !reasserts.mayReassert(s, slot.name)) {
            return null;
        }
        return want;
    }

    /**
     * The slot whose trunk is to be up: the active one, or, while a planned failover re-points the peers, the old
     * active it holds up (unless that one is gone: then nothing is held any more).
     */
    private String forwardingSlot(HostState s) {
        if (trunkHeldBy != null) {
            AgentSlot held = slots.get(trunkHeldBy);
            if (held != null && !held.connections.isEmpty()) {
                return trunkHeldBy;
            }
        }
        return s.activeSlot();
    }

    /** The incarnation serves (recovered, its start persisted): the start grace runs from now. */
    void startGrace() {
        startedNanos = System.nanoTime();
    }

    /**
     * Whether the start grace ({@link HostEntity#FAILOVER_START_GRACE}) is over: before it, a slot this incarnation
     * has not seen yet may still be live, as its sessions announce themselves within it.
     */
    boolean graceOver() {
        return System.nanoTime() - startedNanos > HostEntity.FAILOVER_START_GRACE.toNanos();
    }

    /**
     * Whether every other slot of the host cannot forward: each one seen in this incarnation has its trunk confirmed
     * down or no connection left; a slot the host knows (slot a, or one that announced its endpoint) but has not seen
     * since this incarnation started may still forward with its trunk up until the start grace is over (its sessions
     * announce themselves within it).
     */
    private boolean othersCannotForward(HostState s, AgentSlot slot) {
        for (AgentSlot other : slots.values()) {
            if (other != slot && !other.cannotForward()) {
                return false;
            }
        }
        if (!graceOver()) {
            java.util.Set<String> known =
                    new java.util.TreeSet<>(s.slotEndpoints().keySet());
            known.add(HostState.FIRST_SLOT);
            known.remove(slot.name);
            for (String name : known) {
                if (!slots.containsKey(name)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The active slot lost its last connection in this incarnation (and has not come back). */
    boolean activeLost() {
        return activeLost;
    }

    void activeGone() {
        activeLost = true;
    }

    /** The active slot has a connection again: a later loss is a new one. */
    void activeBack() {
        activeLost = false;
        downReported = false;
    }

    /**
     * A failover was persisted: the loss it answered is dealt with, and a trunk that comes up from now on is the
     * failover's, not a re-assertion.
     */
    void failedOver() {
        activeLost = false;
        downReported = false;
        slots.values().forEach(AgentSlot::clearReportedDown);
    }

    /** The spacing of re-assertions ended ({@link HostSelfMessage.ReassertTrunks}): the caller applies the trunks. */
    void reassertSpacingOver() {
        reasserts.spacingOver();
    }

    /** Whether a slot has a connection on some node. */
    boolean connected(String slotName) {
        AgentSlot slot = slots.get(slotName);
        return slot != null && !slot.connections.isEmpty();
    }

    /** Whether a slot is connected and holds the plan (a standby worth sending copies to, one to fail over to). */
    boolean ready(String slotName) {
        AgentSlot slot = slots.get(slotName);
        return slot != null && !slot.connections.isEmpty() && slot.holdsPlan();
    }

    /** A planned failover holds the old active's trunk up until the peers are re-pointed ({@code null}: released). */
    void hold(String slot) {
        trunkHeldBy = slot;
    }

    /**
     * The slot to fail over to, or null. Only when the active slot has no connection left on any node (each node
     * closes its own on a TCP reset or echo misses: one node losing its connection is no failure) after it was seen
     * connected in this incarnation, or {@code graceOver} (an incarnation that never saw it, e.g. after a controller
     * node died, waits for the sessions to announce themselves first); and only to a slot that holds the plan and
     * announced its tunnel endpoint. A host whose standby is not ready is reported down once.
     */
    String failoverTarget(HostState s, boolean graceOver) {
        AgentSlot active = slots.get(s.activeSlot());
        if (active != null && !active.connections.isEmpty()) {
            return null;
        }
        if (!activeLost && !graceOver) {
            return null;
        }
        for (AgentSlot slot : slots.values()) {
            if (!slot.name.equals(s.activeSlot()) && slot.holdsPlan() && s.endpointOf(slot.name) != null) {
                return slot.name;
            }
        }
        if (!downReported && (activeLost || !slots.isEmpty())) {
            downReported = true;
            metrics.hostsDown.inc();
            ctx.getLog()
                    .warn(
                            "host {} is down: its active agent (slot {}) is lost on every controller node and no standby"
                                    + " holds the plan",
                            s.id(),
                            s.activeSlot());
        }
        return null;
    }

    /**
     * Why a planned failover cannot start now, or null: it needs an active agent in sync and a standby that has
     * realized the current plan and announced its tunnel endpoint.
     */
    String plannedFailoverRefusal(HostState s, String to, long version) {
        AgentSlot target = slots.get(to);
        if (target == null || target.connections.isEmpty()) {
            return "host " + s.id() + " has no standby agent (slot " + to + ") connected";
        }
        if (s.endpointOf(to) == null) {
            return "the standby agent (slot " + to + ") of host " + s.id() + " did not announce its tunnel endpoint";
        }
        if (!target.realized(version)) {
            return "the standby agent (slot " + to + ") of host " + s.id() + " does not hold the current plan yet";
        }
        if (trunkHeldBy != null) {
            return "a failover of host " + s.id() + " is already under way";
        }
        return null;
    }

    /** The host's slots as the API shows them: every slot connected, known, or active. */
    List<HostInfo.SlotInfo> slotInfos(HostState s) {
        java.util.Set<String> names = new java.util.TreeSet<>(slots.keySet());
        names.add(s.activeSlot());
        names.addAll(s.slotEndpoints().keySet());
        return names.stream()
                .map(name -> {
                    AgentSlot slot = slots.get(name);
                    Boolean up = slot == null ? null : slot.trunkUp();
                    return new HostInfo.SlotInfo(
                            name,
                            s.endpointOf(name),
                            name.equals(s.activeSlot()),
                            up == null ? "unknown" : up ? "up" : "down",
                            slot == null ? 0 : slot.connections.size(),
                            slot != null && slot.holdsPlan());
                })
                .toList();
    }
}
