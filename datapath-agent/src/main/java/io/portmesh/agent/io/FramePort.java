package io.portmesh.agent.io;

import io.portmesh.model.Mac;

/**
 * One OpenFlow port of the agent that moves Ethernet frames in and out.
 *
 * <p>Admin state is the controller's (OFPPC_PORT_DOWN): a port that is administratively down neither delivers
 * received frames to the pipeline nor transmits; both are counted as dropped. That is how the standby agent of a host
 * keeps its trunk silent (its trunk keeps a short history of them, replayed when it is brought up: {@link TrunkPort}). Link state (OFPPS_LINK_DOWN) is the port's own: up between {@link #start} and
 * {@link #close}.
 */
public interface FramePort extends AutoCloseable {
    int number();

    String name();

    /** The hardware address reported in port-desc. */
    Mac hwAddr();

    boolean isAdminUp();

    /**
     * Changes the admin state; returns whether it changed (the listener is told only then). A closed port's admin state
     * no longer changes.
     */
    boolean setAdminUp(boolean up);

    boolean isLinkUp();

    PortStats stats();

    /** Starts delivering received frames to {@code sink}. A port starts once; after {@link #close} it is gone. */
    void start(FrameSink sink);

    /**
     * Transmits one frame. Never throws for a frame it cannot send: it drops and counts. Safe to call from any
     * thread; the array is not kept after the call returns.
     *
     * @param tunnelId VNI for a tunnel port (ignored by other ports)
     * @param tunnelDstIp outer IPv4 destination for a tunnel port (ignored by other ports)
     */
    void send(byte[] frame, int off, int len, long tunnelId, int tunnelDstIp);

    /** Who hears about admin and link state changes; {@link Ports} sets this when the port is added. */
    void setStateListener(PortListener listener);

    /** Stops the port and releases its socket. Idempotent. */
    @Override
    void close();
}
