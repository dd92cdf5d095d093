package io.portmesh.agent.io;

import io.portmesh.model.Mac;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM-facing 802.1Q trunk carried over a UDP pseudo-wire: each datagram is one raw Ethernet frame, tagged with the
 * VLAN of the VM's port group, and each simulated VM (or a wire carrying many of them) is a UDP endpoint.
 *
 * <p>A real trunk into a switch VM delivers a frame tagged V to exactly the port group of VLAN V. The pseudo-wire
 * does the same with a VLAN -> endpoint table ({@link VlanEndpoints}): learned from the source of the frames received
 * on each VLAN (a VM makes itself reachable by sending, typically a gratuitous ARP), or configured statically with
 * {@link #bindVlan}. A frame sent to a VLAN that has no endpoint is dropped and counted as tx dropped; it is never
 * flooded to other endpoints, whatever its destination MAC (broadcast included), because that would leak it to other
 * port groups.
 *
 * <p>Learning happens even while the port is administratively down: the table stands for the port-group wiring,
 * which exists whether or not the switch port is enabled, so a standby trunk that is brought up delivers at once.
 *
 * <p>While administratively down the trunk hands the frames it does not deliver or send to its {@link StandbyTap}
 * (the standby replay); while up it never calls the tap, so the active agent's data path pays nothing for it. Its admin
 * state changes are told to an {@link AdminStateObserver} (the {@link TrunkStateLog}).
 *
 * <p>Received frames that are not 802.1Q-tagged, carry VLAN 0 or 4095, or come from an endpoint other than the static
 * one of their VLAN, are counted (errors, resp. dropped) and not delivered.
 */
public final class TrunkPort extends AbstractUdpPort {
    private static final Logger log = LoggerFactory.getLogger(TrunkPort.class);
    private static final int TPID_8021Q = 0x8100;
    /** Destination, source, TPID, TCI. */
    private static final int TAGGED_HEADER = 16;

    private final VlanEndpoints endpoints = new VlanEndpoints();
    private volatile StandbyTap standby = StandbyTap.NONE;
    private volatile AdminStateObserver observer = AdminStateObserver.NONE;

    private TrunkPort(
            int number, String name, Mac hwAddr, InetSocketAddress bind, boolean adminUp, int socketBufferBytes)
            throws IOException {
        super(number, name, hwAddr, bind, adminUp, socketBufferBytes);
    }

    /**
     * Binds a trunk port.
     *
     * @param adminUp initial admin state; false for the standby agent of a host
     */
    public static TrunkPort open(int number, String name, Mac hwAddr, InetSocketAddress bind, boolean adminUp)
            throws IOException {
        return new TrunkPort(number, name, hwAddr, bind, adminUp, 0);
    }

    /** As {@link #open(int, String, Mac, InetSocketAddress, boolean)}, asking for socket buffers of the given size. */
    public static TrunkPort open(
            int number, String name, Mac hwAddr, InetSocketAddress bind, boolean adminUp, int socketBufferBytes)
            throws IOException {
        return new TrunkPort(number, name, hwAddr, bind, adminUp, socketBufferBytes);
    }

    /**
     * Where the frames go that the trunk does not deliver or send while administratively down. Set on a trunk that is
     * down, the tap starts keeping at once (a standby agent starts with its trunk down).
     */
    public void setStandbyTap(StandbyTap tap) {
        Objects.requireNonNull(tap, "tap");
        synchronized (this) {
            if (!isAdminUp()) {
                tap.goingDown();
            }
            standby = tap;
        }
    }

    /** Who is told of admin state changes (and of a close while up), in order. */
    public void setAdminStateObserver(AdminStateObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    protected void beforeAdminDown() {
        standby.goingDown();
    }

    @Override
    protected void adminChanged(boolean up, long atNanos) {
        observer.adminStateChanged(up, atNanos);
        if (up) {
            standby.cameUp();
        }
    }

    @Override
    protected void afterClose(boolean wasAdminUp, long atNanos) {
        if (wasAdminUp) {
            observer.portClosed(atNanos);
        }
    }

    /** Statically binds {@code vlan} (1..4094) to a port-group endpoint; learning does not override it. */
    public void bindVlan(int vlan, InetSocketAddress endpoint) {
        endpoints.bind(vlan, endpoint);
    }

    public void unbindVlan(int vlan) {
        endpoints.unbind(vlan);
    }

    /** The VLAN -> endpoint table (live view). */
    public VlanEndpoints endpoints() {
        return endpoints;
    }

    /** The VLAN id of a tagged frame, or -1 if it is not a usable 802.1Q frame. */
    static int vlanOf(byte[] frame, int off, int len) {
        if (len < TAGGED_HEADER + 2 || ((frame[off + 12] & 0xFF) << 8 | (frame[off + 13] & 0xFF)) != TPID_8021Q) {
            return -1;
        }
        int vlan = ((frame[off + 14] & 0x0F) << 8) | (frame[off + 15] & 0xFF);
        return vlan == 0 || vlan == 0xFFF ? -1 : vlan;
    }

    @Override
    protected void onDatagram(FrameSink sink, InetSocketAddress from, byte[] data, int len) {
        int vlan = vlanOf(data, 0, len);
        if (vlan < 0) {
            counters.rxError();
            if (log.isDebugEnabled()) {
                log.debug("{}: untagged or bad-VLAN frame of {} bytes from {}", name(), len, from);
            }
            return;
        }
        if (!endpoints.learn(vlan, from)) {
            counters.rxDropped();
            if (log.isDebugEnabled()) {
                log.debug(
                        "{}: VLAN {} is bound to {}, refusing a frame from {}",
                        name(),
                        vlan,
                        endpoints.lookup(vlan),
                        from);
            }
            return;
        }
        if (!isAdminUp() && heldBack(true, data, 0, len)) {
            return;
        }
        counters.received(len);
        sink.receive(number(), 0, 0, data, 0, len);
    }

    /**
     * A frame met the trunk administratively down: it is kept for the standby replay (or dropped when the tap does not
     * keep), and counted as dropped either way; true. Unless the tap did not keep it because the trunk came up in the
     * meantime: the tap stops keeping only after the trunk is up, and takes what it kept then, so such a frame was not
     * taken and goes on as if the trunk had been up all along (false). Either way the frame is neither lost in the
     * switch-over nor handled twice by this trunk.
     */
    private boolean heldBack(boolean received, byte[] frame, int off, int len) {
        StandbyTap tap = standby;
        boolean kept = received ? tap.keepReceived(frame, off, len) : tap.keepSent(frame, off, len);
        if (!kept && isAdminUp()) {
            return false;
        }
        if (received) {
            counters.rxDropped();
        } else {
            counters.txDropped();
        }
        return true;
    }

    @Override
    public void send(byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        if (!isAdminUp() && heldBack(false, frame, off, len)) {
            return;
        }
        if (!isLinkUp()) {
            counters.txDropped();
            return;
        }
        int vlan = vlanOf(frame, off, len);
        if (vlan < 0 || len > MAX_DATAGRAM) {
            counters.txError();
            return;
        }
        InetSocketAddress to = endpoints.lookup(vlan);
        if (to == null) {
            counters.txDropped();
            return;
        }
        ByteBuffer buf = sendBuffer();
        buf.put(frame, off, len).flip();
        transmit(buf, to, len);
    }
}
