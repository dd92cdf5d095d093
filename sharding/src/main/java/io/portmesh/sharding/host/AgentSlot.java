package io.portmesh.sharding.host;

import io.portmesh.openflow.plan.PlanWire;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One switch VM of a host (an agent slot, {@code a} or {@code b}) as its Host entity sees it: the agent's
 * connections to the controller nodes, which one is master, and how far that master has the plan.
 *
 * <p>The sync state says what may be sent to the master: nothing until its flows were read ({@link Sync#UNREAD},
 * {@link Sync#READING}), the difference to the whole plan once the read arrived and the plan is complete
 * ({@link Sync#READ}), every later change as a diff ({@link Sync#SYNCED}). A new master or a failed push sends the
 * slot back to {@link Sync#UNREAD}.
 *
 * <p>Pushes and reads carry a sequence number of this slot. Everything a session answers for a push or read issued
 * before the slot last lost its sync (a barrier still in flight, an older read) is stale and ignored: a barrier that
 * arrives after a failed push must not acknowledge a version the agent may not have, and a read taken before the
 * failure must not be diffed against.
 */
final class AgentSlot {
    enum Sync {
        UNREAD,
        READING,
        READ,
        SYNCED
    }

    /** One OpenFlow connection of this slot's agent to a controller node. */
    /** {@code keySha256}: its certificate's public key's SHA-256, null over plain TCP (checked against pins). */
    record Connection(ActorRef<SessionCommand> ref, String dpid, String node, String remote, String keySha256) {}

    /**
     * A push: its sequence number, the plan version it brings the agent to, the plan's flow count then, when, and the
     * trunk state it sets (null: it does not touch the trunk).
     */
    /** @param flowMods the flow-mods and group-mods the push carried */
    record Pushed(long seq, long version, int flows, long sentNanos, Boolean trunkUp, int flowMods) {}

    /** Pushes timed at most (an agent that stops answering is declared dead long before). */
    static final int MAX_UNACKED = 1024;

    final String name;
    final Map<ActorRef<SessionCommand>, Connection> connections = new LinkedHashMap<>();
    private ActorRef<SessionCommand> master;
    private Sync sync = Sync.UNREAD;
    private PlanWire.Installed read;
    private long ackedVersion = -1;
    private int ackedFlows;
    private final ArrayDeque<Pushed> unacked = new ArrayDeque<>();
    private long nextSeq = 1;
    /** Answers to pushes and reads numbered below this belong to a sync that was lost. */
    private long validFrom = 1;
    /** Pushes or reads that failed in a row: the next read waits longer each time (see {@link #retryDelayMillis}). */
    private int failuresInARow;
    /** The trunk's hardware address as last read (a PORT_MOD repeats it), -1 while unknown (no trunk port). */
    private long trunkHw = -1;
    /** The trunk's admin state as this sync last confirmed it (read, or a PORT_MOD acknowledged); null: unknown. */
    private Boolean trunkUp;
    /** The state a PORT_MOD in flight sets; null: none in flight. */
    private Boolean trunkSetting;
    /**
     * The agent reported its trunk down while a PORT_MOD up was in flight: the report may be older than the PORT_MOD
     * or newer (its pair fence took the trunk down after it), so the acknowledgement does not confirm up.
     */
    private boolean downReportedWhileChanging;
    /**
     * The agent reported its trunk down (OFPT_PORT_STATUS) while this sync had it up: not the controller's doing (its
     * pair fence, docs/architecture.md section 7.2). Until the next PORT_MOD up, bringing it up again is a re-assertion
     * ({@link HostTrunks#change}, at most once per {@link TrunkReasserts#SPACING}).
     */
    private boolean reportedDown;

    AgentSlot(String name) {
        this.name = name;
    }

    ActorRef<SessionCommand> master() {
        return master;
    }

    boolean isMaster(ActorRef<SessionCommand> ref) {
        return ref != null && ref.equals(master);
    }

    Sync sync() {
        return sync;
    }

    /** Makes {@code ref} the master: nothing it has is known until it is read. */
    void elect(ActorRef<SessionCommand> ref) {
        master = ref;
        loseSync();
        ackedFlows = 0;
    }

    /** The connection that should take over from a master that is gone: one on {@code preferredNode} first. */
    Optional<ActorRef<SessionCommand>> successor(Predicate<Connection> preferred) {
        return connections.values().stream()
                .min(Comparator.comparing(c -> preferred.test(c) ? 0 : 1))
                .map(Connection::ref);
    }

    void noMaster() {
        master = null;
        loseSync();
        ackedFlows = 0;
    }

    /** Whatever the master has is unknown again (new master, failed push): read it before pushing. */
    void loseSync() {
        sync = Sync.UNREAD;
        read = null;
        unacked.clear();
        ackedVersion = -1;
        validFrom = nextSeq;
        trunkUp = null;
        trunkSetting = null;
        downReportedWhileChanging = false;
        reportedDown = false;
    }

    /** @return the sequence number of the read to ask the master for */
    long startRead() {
        sync = Sync.READING;
        return nextSeq++;
    }

    /** @return false when the read is stale (asked before the sync was lost again, or not from the master) */
    boolean readArrived(
            ActorRef<SessionCommand> from,
            long seq,
            PlanWire.Installed installed,
            Optional<io.portmesh.openflow.plan.TrunkWire.Trunk> trunk) {
        if (!isMaster(from) || sync != Sync.READING || seq < validFrom) {
            return false;
        }
        read = installed;
        trunkHw = trunk.map(io.portmesh.openflow.plan.TrunkWire.Trunk::hwAddr).orElse(-1L);
        trunkUp = trunk.map(io.portmesh.openflow.plan.TrunkWire.Trunk::adminUp).orElse(null);
        sync = Sync.READ;
        return true;
    }

    PlanWire.Installed read() {
        return read;
    }

    /** Records a push to the master; after the first (whole-plan) push the slot gets every change as a diff. */
    long pushed(long version, int flows, Boolean trunk, int flowMods) {
        if (unacked.size() == MAX_UNACKED) {
            unacked.poll();
        }
        long seq = nextSeq++;
        unacked.add(new Pushed(seq, version, flows, System.nanoTime(), trunk, flowMods));
        if (trunk != null) {
            trunkSetting = trunk;
            downReportedWhileChanging = false;
            reportedDown &= !trunk;
        }
        sync = Sync.SYNCED;
        read = null;
        return seq;
    }

    /**
     * A barrier came back for push {@code seq}: it acknowledges that push and every earlier one.
     *
     * @return the pushes acknowledged (for their latency), empty when the answer is stale
     */
    java.util.List<Pushed> acked(ActorRef<SessionCommand> from, long seq) {
        if (!isMaster(from) || seq < validFrom || sync != Sync.SYNCED) {
            return java.util.List.of();
        }
        java.util.List<Pushed> done = new java.util.ArrayList<>();
        failuresInARow = 0;
        while (!unacked.isEmpty() && unacked.peek().seq() <= seq) {
            Pushed p = unacked.poll();
            done.add(p);
            ackedVersion = Math.max(ackedVersion, p.version());
            ackedFlows = p.flows();
            if (p.trunkUp() != null) {
                trunkUp = p.trunkUp();
                if (p.trunkUp().equals(trunkSetting)) {
                    trunkSetting = null;
                }
            }
        }
        if (trunkSetting == null && downReportedWhileChanging) {
            downReportedWhileChanging = false;
            if (Boolean.TRUE.equals(trunkUp)) { // up by the PORT_MOD, maybe down since: taken as down, up again is
                trunkUp = false; // one more PORT_MOD up, which changes nothing on an agent whose trunk is up
                reportedDown = true;
            }
        }
        return done;
    }

    /**
     * The agent reported its trunk's admin state (OFPT_PORT_STATUS, which it sends on every change, whoever made it).
     * Taken from the master only: every connection of the agent gets the same report, and the master's comes in order
     * with its barrier replies. Ignored while this sync does not know the trunk (its read will tell). While a PORT_MOD
     * up is in flight, the last report is kept for its acknowledgement: a down may be older than the PORT_MOD or newer.
     *
     * @return whether the trunk state this sync knows changed
     */
    boolean trunkReported(ActorRef<SessionCommand> from, boolean up) {
        if (!isMaster(from) || trunkUp == null) {
            return false;
        }
        if (trunkSetting != null) {
            // the agent reports the state at the time it sends, in order: the last report counts
            downReportedWhileChanging = !up && trunkSetting;
            return false;
        }
        if (trunkUp == up) {
            return false;
        }
        trunkUp = up;
        reportedDown = !up;
        return true;
    }

    /** The agent took its trunk down without being asked (see {@link #reportedDown}). */
    boolean reportedDown() {
        return reportedDown;
    }

    /** The slot the controllers want forwarding changed: bringing this trunk up is no re-assertion any more. */
    void clearReportedDown() {
        reportedDown = false;
    }

    /**
     * A push or read failed: how long to wait before reading the agent again. The first retry is at once (a refused
     * flow-mod after a hand edit is fixed by one reconciliation); an agent that keeps refusing (a full table, a
     * connection it demoted) is read again after 200 ms, 400 ms, ... at most 5 s, not in a loop at wire speed.
     */
    long retryDelayMillis() {
        failuresInARow++;
        return failuresInARow == 1 ? 0 : Math.min(5_000L, 100L << Math.min(failuresInARow - 1, 6));
    }

    /** @return whether a failure report for push {@code seq} still matters (not stale) */
    boolean failureCounts(ActorRef<SessionCommand> from, long seq) {
        return isMaster(from) && seq >= validFrom;
    }

    /**
     * The master has every change up to {@code version} (in this sync): it acknowledged that version, or it
     * acknowledged every push of this sync. The second matters when the plan version moved on without a push to this
     * slot (another slot's new master raised the generation, an empty change): a slot in sync gets every change, so
     * one with nothing unacknowledged holds the whole current plan.
     */
    boolean realized(long version) {
        return master != null && sync == Sync.SYNCED && (ackedVersion >= version || unacked.isEmpty());
    }

    /** The trunk's hardware address (for a PORT_MOD), -1 while unknown. */
    long trunkHw() {
        return trunkHw;
    }

    /** The trunk state the agent confirmed in this sync, null while unknown. */
    Boolean trunkUp() {
        return trunkUp;
    }

    /** A PORT_MOD is in flight (its barrier not back). */
    boolean trunkChanging() {
        return trunkSetting != null;
    }

    /**
     * Whether this slot's agent cannot be forwarding VM traffic: no connection at all (declared dead), or its trunk
     * confirmed down with no PORT_MOD in flight.
     */
    boolean cannotForward() {
        return connections.isEmpty() || (Boolean.FALSE.equals(trunkUp) && trunkSetting == null);
    }

    /** Acknowledged at least one push of this sync: it holds a whole plan. */
    boolean holdsPlan() {
        return master != null && sync == Sync.SYNCED && ackedVersion >= 0;
    }

    /** This slot's connections as the API shows them, by controller node. */
    java.util.List<HostInfo.AgentInfo> agentInfos() {
        return connections.values().stream()
                .sorted(Comparator.comparing(Connection::node))
                .map(x -> new HostInfo.AgentInfo(
                        name, x.dpid(), x.node(), isMaster(x.ref()) ? "MASTER" : "SLAVE", x.remote()))
                .toList();
    }

    /** The flows every mastered slot has acknowledged (the least of them), 0 without a master. */
    static int installedFlows(java.util.Collection<AgentSlot> slots) {
        return slots.stream()
                .filter(x -> x.master != null)
                .mapToInt(x -> x.ackedFlows)
                .min()
                .orElse(0);
    }
}
