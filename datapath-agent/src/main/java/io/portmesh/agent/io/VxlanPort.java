package io.portmesh.agent.io;

import io.portmesh.model.Mac;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flow-based VXLAN tunnel port (RFC 7348): one UDP socket; the remote endpoint and VNI come with every frame
 * (the flow's {@code tun_ipv4_dst} and {@code tunnel_id}), as with an Open vSwitch port configured
 * {@code remote_ip=flow,key=flow}.
 *
 * <p>Receive: a datagram with a valid header is handed to the sink as {@code (number, vni, outer source IPv4, inner
 * frame)} without copying the inner frame out of the receive buffer. A malformed one (shorter than header plus an
 * Ethernet header, or I flag clear) is counted as an rx error and dropped. Any source may send to us: the pipeline's
 * table 0 only accepts VNIs it has flows for.
 *
 * <p>Transmit: header plus frame go to {@code (tunnelDstIp, remote UDP port)}. The outer source address is the bound
 * address (or the kernel's choice when bound to the wildcard). A frame without a destination, or with a tunnel id that
 * does not fit 24 bits, is dropped and counted.
 */
public final class VxlanPort extends AbstractUdpPort {
    private static final Logger log = LoggerFactory.getLogger(VxlanPort.class);

    private final TunnelAddresses destinations;
    private final int remoteUdpPort;
    // Only the receive thread touches these: the JDK hands back the same address object while the sender repeats.
    private InetSocketAddress lastSender;
    private int lastSenderIp;

    private VxlanPort(
            int number, String name, Mac hwAddr, InetSocketAddress bind, int remoteUdpPort, int socketBufferBytes)
            throws IOException {
        super(number, name, hwAddr, bind, true, socketBufferBytes);
        this.remoteUdpPort = remoteUdpPort;
        this.destinations = new TunnelAddresses(remoteUdpPort);
    }

    /**
     * Binds a VXLAN port. Use port {@link Vxlan#DEFAULT_UDP_PORT} for both in production; tests bind port 0 and tell
     * the peer the port they got.
     *
     * @param bind local address and UDP port to receive on
     * @param remoteUdpPort UDP port of every remote tunnel endpoint
     */
    public static VxlanPort open(int number, String name, Mac hwAddr, InetSocketAddress bind, int remoteUdpPort)
            throws IOException {
        return open(number, name, hwAddr, bind, remoteUdpPort, 0);
    }

    /** As {@link #open(int, String, Mac, InetSocketAddress, int)}, asking for socket buffers of the given size. */
    public static VxlanPort open(
            int number, String name, Mac hwAddr, InetSocketAddress bind, int remoteUdpPort, int socketBufferBytes)
            throws IOException {
        if (remoteUdpPort < 1 || remoteUdpPort > 65_535) {
            throw new IllegalArgumentException("remote UDP port " + remoteUdpPort + " is outside 1..65535");
        }
        return new VxlanPort(number, name, hwAddr, bind, remoteUdpPort, socketBufferBytes);
    }

    public int remoteUdpPort() {
        return remoteUdpPort;
    }

    @Override
    protected void onDatagram(FrameSink sink, InetSocketAddress from, byte[] data, int len) {
        int vni = Vxlan.vni(data, 0, len);
        if (vni == Vxlan.MALFORMED) {
            counters.rxError();
            if (log.isDebugEnabled()) {
                log.debug("{}: malformed VXLAN datagram of {} bytes from {}", name(), len, from);
            }
            return;
        }
        if (!isAdminUp()) {
            counters.rxDropped();
            return;
        }
        if (from != lastSender) {
            lastSender = from;
            lastSenderIp = senderIp(from);
        }
        int inner = len - Vxlan.HEADER_LEN;
        counters.received(inner);
        sink.receive(number(), vni, lastSenderIp, data, Vxlan.HEADER_LEN, inner);
    }

    private static int senderIp(InetSocketAddress from) {
        InetAddress address = from.getAddress();
        return address == null ? 0 : TunnelAddresses.toInt(address);
    }

    @Override
    public void send(byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        if (!isAdminUp() || !isLinkUp() || tunnelDstIp == 0) {
            counters.txDropped();
            return;
        }
        if (tunnelId < 0 || tunnelId > Vxlan.MAX_VNI || len < Vxlan.MIN_INNER_FRAME || len > maxFrame()) {
            counters.txError();
            return;
        }
        ByteBuffer buf = sendBuffer();
        Vxlan.writeHeader(buf, (int) tunnelId);
        buf.put(frame, off, len).flip();
        transmit(buf, destinations.of(tunnelDstIp), len);
    }

    private static int maxFrame() {
        return MAX_DATAGRAM - Vxlan.HEADER_LEN;
    }
}
