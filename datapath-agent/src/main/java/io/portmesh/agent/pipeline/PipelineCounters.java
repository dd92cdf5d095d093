package io.portmesh.agent.pipeline;

import java.util.concurrent.atomic.LongAdder;

/** What happened to frames in the pipeline; every frame that goes nowhere is counted somewhere. */
public final class PipelineCounters {
    final LongAdder framesIn = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder tableMiss = new LongAdder();
    final LongAdder noOutput = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder toController = new LongAdder();
    final LongAdder tunnelNoDestination = new LongAdder();
    final LongAdder inPortDrops = new LongAdder();
    final LongAdder deletedGroup = new LongAdder();
    final LongAdder packetOutRejected = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder replayedFrames = new LongAdder();
    final LongAdder standbyReplayedIngress = new LongAdder();
    final LongAdder standbyReplayedEgress = new LongAdder();

    /** Frames given to {@link Pipeline#process} (packet-outs excluded). */
    public long framesIn() {
        return framesIn.sum();
    }

    /** Too short or truncated frames, dropped before any lookup. */
    public long malformed() {
        return malformed.sum();
    }

    /** Frames that matched no flow in some table (no table-miss flow there): dropped. */
    public long tableMiss() {
        return tableMiss.sum();
    }

    /** Frames that matched flows but whose actions sent them nowhere. */
    public long noOutput() {
        return noOutput.sum();
    }

    /** Copies handed to a physical port. */
    public long framesOut() {
        return framesOut.sum();
    }

    public long toController() {
        return toController.sum();
    }

    /** Copies for the tunnel port without a tun_ipv4_dst: dropped. */
    public long tunnelNoDestination() {
        return tunnelNoDestination.sum();
    }

    /** Copies for the port the frame came in on, without OUTPUT:IN_PORT: dropped, as the spec says. */
    public long inPortDrops() {
        return inPortDrops.sum();
    }

    /** Copies sent to a group deleted while the frame was in flight. */
    public long deletedGroup() {
        return deletedGroup.sum();
    }

    /** Packet-outs whose actions or data this switch refused. */
    public long packetOutRejected() {
        return packetOutRejected.sum();
    }

    /** Unexpected exceptions caught at the pipeline's edge (a bug if not zero). */
    public long errors() {
        return errors.sum();
    }

    /**
     * Frames the trunk re-sent to a VM that announced itself at the end of a live move (the frames its port group got
     * just before it arrived: {@link ArrivalReplay}). Not in {@link #framesOut()}.
     */
    public long replayedFrames() {
        return replayedFrames.sum();
    }

    /**
     * Frames the VMs sent while the trunk was administratively down that the pipeline ran when it came up
     * ({@link StandbyReplay}). They are also in {@link #framesIn()}, and their outputs in {@link #framesOut()}.
     */
    public long standbyReplayedIngress() {
        return standbyReplayedIngress.sum();
    }

    /**
     * Frames the pipeline had output to the administratively down trunk that it sent when the trunk came up
     * ({@link StandbyReplay}). Not in {@link #framesOut()}.
     */
    public long standbyReplayedEgress() {
        return standbyReplayedEgress.sum();
    }

    /** Input frames dropped as a whole: malformed, table miss, or no output. */
    public long dropped() {
        return malformed() + tableMiss() + noOutput();
    }

    @Override
    public String toString() {
        return "in=" + framesIn() + " out=" + framesOut() + " controller=" + toController() + " malformed="
                + malformed() + " tableMiss=" + tableMiss() + " noOutput=" + noOutput() + " tunnelNoDst="
                + tunnelNoDestination() + " inPortDrops=" + inPortDrops() + " errors=" + errors() + " replayed="
                + replayedFrames() + " standbyReplayedIn=" + standbyReplayedIngress() + " standbyReplayedOut="
                + standbyReplayedEgress();
    }
}
