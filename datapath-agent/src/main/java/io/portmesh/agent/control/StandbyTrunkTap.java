package io.portmesh.agent.control;

import io.portmesh.agent.io.StandbyTap;
import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.agent.pipeline.StandbyReplay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the trunk's {@link StandbyTap} to the pipeline's {@link StandbyReplay}: what the down trunk does not deliver or
 * send is kept there, and when the trunk comes up the pipeline replays it. The port and pipeline packages know nothing
 * of each other; the agent wires them.
 */
final class StandbyTrunkTap implements StandbyTap {
    private static final Logger log = LoggerFactory.getLogger(StandbyTrunkTap.class);

    private final Pipeline pipeline;
    private final StandbyReplay history;

    StandbyTrunkTap(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.history = pipeline.standbyReplay();
    }

    @Override
    public void goingDown() {
        history.startKeeping();
    }

    @Override
    public void cameUp() {
        StandbyReplay.Frames replayed = pipeline.replayStandby();
        if (!replayed.isEmpty()) {
            log.info(
                    "trunk up: replayed {} frames the VMs sent and {} frames for them, kept while it was down (window {} ms)",
                    replayed.ingress().size(),
                    replayed.egress().size(),
                    history.windowNanos() / 1_000_000);
        }
    }

    @Override
    public boolean keepReceived(byte[] frame, int off, int len) {
        return history.keepIngress(frame, off, len);
    }

    @Override
    public boolean keepSent(byte[] frame, int off, int len) {
        return history.keepEgress(frame, off, len);
    }
}
