package io.portmesh.agent.pipeline;

import io.portmesh.agent.table.FlowRule;
import io.portmesh.agent.table.FlowTable;
import io.portmesh.agent.table.Instructions;
import io.portmesh.agent.table.SwitchTables;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenFlow 1.3 pipeline (docs/architecture.md section 5): a frame goes through tables from 0 on, forward
 * only, collecting an action set that runs at the end. Called concurrently by the I/O threads; all
 * per-frame state lives in a thread-local {@link Context}.
 */
public final class Pipeline {
    public static final int TRUNK_PORT = 1;
    public static final int TUNNEL_PORT = 2;

    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

    private final SwitchTables tables;
    private final PipelineCounters counters = new PipelineCounters();
    private final ActionRunner runner;
    private final PortOutput out;
    private final ArrivalReplay replay;
    private final StandbyReplay standby;
    private final ThreadLocal<Context> contexts = ThreadLocal.withInitial(Context::new);

    /** A pipeline with the default replay windows ({@link ArrivalReplay}, {@link StandbyReplay}). */
    public Pipeline(SwitchTables tables, PortOutput out) {
        this(tables, out, ArrivalReplay.DEFAULT_WINDOW_NANOS, System::nanoTime);
    }

    /** As below, with the default standby replay window ({@link StandbyReplay#DEFAULT_WINDOW_NANOS}). */
    public Pipeline(SwitchTables tables, PortOutput out, long arrivalReplayWindowNanos, LongSupplier nanoClock) {
        this(tables, out, arrivalReplayWindowNanos, StandbyReplay.DEFAULT_WINDOW_NANOS, nanoClock);
    }

    /**
     * @param arrivalReplayWindowNanos how far back the frames a VM arriving in a live move missed are replayed when it
     *     announces itself ({@link ArrivalReplay}); 0 turns it off
     * @param standbyReplayWindowNanos how far back the frames a down trunk kept are replayed when it comes up
     *     ({@link StandbyReplay}); 0 turns it off
     * @param nanoClock monotonic nanoseconds, for the replays' windows
     */
    public Pipeline(
            SwitchTables tables,
            PortOutput out,
            long arrivalReplayWindowNanos,
            long standbyReplayWindowNanos,
            LongSupplier nanoClock) {
        this.tables = tables;
        this.out = out;
        this.replay = new ArrivalReplay(arrivalReplayWindowNanos, nanoClock);
        this.standby = new StandbyReplay(standbyReplayWindowNanos, nanoClock);
        this.runner = new ActionRunner(out, counters, TUNNEL_PORT, this, TRUNK_PORT, replay);
        tables.setInstallListener(replay);
    }

    /**
     * One frame through tables 0..n. inPort = OF port number; tunnelId/tunnelSrcIp set when the
     * frame came from VXLAN (0 otherwise). Never throws.
     */
    public void process(int inPort, long tunnelId, int tunnelSrcIp, byte[] frame, int off, int len) {
        counters.framesIn.increment();
        try {
            Context c = contexts.get();
            Packet p = c.packet;
            if (!p.parse(frame, off, len)) {
                counters.malformed.increment();
                return;
            }
            start(p, inPort, tunnelId, tunnelSrcIp);
            c.packetOut = false;
            run(p, c);
        } catch (RuntimeException bug) {
            counters.errors.increment();
            log.debug("frame from port {} dropped: pipeline failure", inPort, bug);
        }
    }

    /**
     * Executes a PACKET_OUT's actions (OUTPUT:TABLE runs the pipeline with in_port from the
     * message). Packet-outs with a buffer id, bad data or actions this switch refuses are dropped
     * and counted. Never throws.
     */
    public void packetOut(OFPacketOut po) {
        try {
            Instructions actions = tables.actionCompiler().packetOutActions(po.getActions());
            Context c = new Context(contexts.get().lane);
            Packet p = c.packet;
            if (actions == null
                    || !OFBufferId.NO_BUFFER.equals(po.getBufferId())
                    || !p.parse(po.getData(), 0, po.getData().length)) {
                counters.packetOutRejected.increment();
                return;
            }
            start(p, po.getInPort().getPortNumber(), 0, 0);
            c.packetOut = true;
            c.entry = null;
            c.replayArmed = replay.armed();
            runner.apply(actions.applyProgram, actions.groups, p, c);
        } catch (RuntimeException bug) {
            counters.errors.increment();
            log.debug("packet-out dropped: pipeline failure", bug);
        }
    }

    public PipelineCounters counters() {
        return counters;
    }

    /** The arrival replay of live moves (which VLANs are arriving, what is ringed). */
    public ArrivalReplay arrivalReplay() {
        return replay;
    }

    /**
     * What the trunk keeps while administratively down. The trunk's tap (wired by the agent) feeds it and calls
     * {@link #replayStandby} when the trunk comes up.
     */
    public StandbyReplay standbyReplay() {
        return standby;
    }

    /**
     * The trunk came up: the frames it kept while down and that are younger than the window are replayed, once, oldest
     * first: first those the VMs sent, through the pipeline as if they had just arrived on the trunk, then those the
     * pipeline had output to it, out of the trunk. Runs on the caller's thread (the one that brought the trunk up), so
     * an OpenFlow barrier after the PORT_MOD is answered only once the replay is done. Counted in
     * {@link PipelineCounters#standbyReplayedIngress()} and {@link PipelineCounters#standbyReplayedEgress()}.
     *
     * @return the frames replayed (both directions)
     */
    public StandbyReplay.Frames replayStandby() {
        StandbyReplay.Frames frames = standby.take();
        for (byte[] f : frames.ingress()) {
            counters.standbyReplayedIngress.increment();
            process(TRUNK_PORT, 0, 0, f, 0, f.length);
        }
        for (byte[] f : frames.egress()) {
            counters.standbyReplayedEgress.increment();
            out.output(TRUNK_PORT, 0, f, 0, f.length, 0, 0); // an explicit port: no ingress port to resolve
        }
        return frames;
    }

    /** OUTPUT:TABLE from a packet-out: the frame as modified so far, from table 0, in a fresh context. */
    void reinject(Packet from) {
        byte[] copy = Arrays.copyOfRange(from.bytes(), from.bytesOffset(), from.bytesOffset() + from.bytesLength());
        Context c = new Context(contexts.get().lane);
        Packet p = c.packet;
        if (!p.parse(copy, 0, copy.length)) {
            counters.packetOutRejected.increment();
            return;
        }
        start(p, from.inPort, from.tunnelId, from.tunnelSrcIp);
        run(p, c);
    }

    private static void start(Packet p, int inPort, long tunnelId, int tunnelSrcIp) {
        p.inPort = inPort;
        p.tunnelId = tunnelId;
        p.tunnelSrcIp = tunnelSrcIp;
        p.tunnelDstIp = 0;
        p.metadata = 0;
    }

    private void run(Packet p, Context c) {
        c.actionSet.clear();
        c.emitted = 0;
        c.entry = null;
        // The only cost of arrival replay while no VLAN is arriving: this read.
        boolean armed = replay.armed();
        c.replayArmed = armed;
        int announced = -1;
        int tableId = 0;
        int tableCount = tables.tableCount();
        // goto_table only goes forward, so at most tableCount lookups.
        for (int hop = 0; hop < tableCount; hop++) {
            FlowTable table = tables.table(tableId);
            p.fillKey(c.key);
            FlowRule rule = table.lookup(c.key);
            if (rule == null) {
                table.miss();
                counters.tableMiss.increment();
                if (announced > 0) {
                    replayTo(announced, p.inPort); // an announcement that goes nowhere still announces
                }
                return;
            }
            rule.entry.hit(c.lane, p.frameLen);
            c.entry = rule.entry;
            if (armed && tableId == 0) {
                announced = ArrivalReplay.activationVlan(rule.entry.cookie);
            }
            if (rule.applyProgram.length > 0) {
                runner.apply(rule.applyProgram, rule.groups, p, c);
            }
            if (rule.clearActions) {
                c.actionSet.clear();
            }
            if (rule.writeProgram != null) {
                c.actionSet.write(rule.writeProgram, rule.groups);
            }
            if (rule.metadataMask != 0) {
                p.metadata = (p.metadata & ~rule.metadataMask) | rule.metadata;
            }
            if (rule.gotoTable == Instructions.NO_GOTO) {
                break;
            }
            tableId = rule.gotoTable;
        }
        c.actionSet.execute(p, runner, c);
        if (c.emitted == 0) {
            counters.noOutput.increment();
        }
        if (announced > 0) {
            replayTo(announced, p.inPort);
        }
    }

    /** The VM of {@code vlan} announced itself: the trunk re-sends what its port group got just before, once. */
    private void replayTo(int vlan, int inPort) {
        List<byte[]> frames = replay.take(vlan);
        for (byte[] f : frames) {
            out.output(TRUNK_PORT, inPort, f, 0, f.length, 0, 0);
            counters.replayedFrames.increment();
        }
        if (!frames.isEmpty() && log.isDebugEnabled()) {
            log.debug("VLAN {} announced: {} frames replayed", vlan, frames.size());
        }
    }
}
