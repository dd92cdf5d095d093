package io.portmesh.agent.io;

/**
 * Where a port delivers the frames it receives; the agent wires this to {@code Pipeline::process}.
 *
 * <p>The array is the receive thread's reusable buffer: it is valid only for the duration of the call, so an
 * implementation that keeps a frame must copy it. Each port calls its sink from a single receive thread.
 */
@FunctionalInterface
public interface FrameSink {
    /**
     * @param inPort the OpenFlow number of the port the frame came in on
     * @param tunnelId the VXLAN VNI for frames from a tunnel port, 0 otherwise
     * @param tunnelSrcIp the outer IPv4 source of a tunnelled frame (as an int, network order in its bits), 0
     *     otherwise
     */
    void receive(int inPort, long tunnelId, int tunnelSrcIp, byte[] frame, int off, int len);
}
