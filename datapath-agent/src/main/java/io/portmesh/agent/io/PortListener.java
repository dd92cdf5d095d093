package io.portmesh.agent.io;

/**
 * Told about every port that is added, removed, or whose admin or link state changes, so that the agent can send
 * OFPT_PORT_STATUS. Called on the thread that caused the change; implementations must not block.
 */
@FunctionalInterface
public interface PortListener {
    void portChanged(FramePort port, PortChange change);
}
