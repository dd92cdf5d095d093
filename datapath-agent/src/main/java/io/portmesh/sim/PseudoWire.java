package io.portmesh.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM side of a UDP pseudo-wire trunk: one UDP socket standing for the port groups of any number of simulated VMs
 * (one VLAN each), and one receive thread that hands each tagged frame to the VM of its VLAN. Sharing a wire among
 * many VMs keeps a load test at one socket and one thread per simulated host instead of per VM; the agent's trunk
 * port learns every VLAN of the wire at this one endpoint.
 *
 * <p>Every frame is sent to each trunk address of the wire: give two (active and standby agent of a host) to model a
 * port group wired into both switch VMs, where the administratively down trunk drops what it gets.
 */
public final class PseudoWire implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PseudoWire.class);
    private static final int MAX_DATAGRAM = 65_507;
    /** Asked for (the kernel caps it at net.core.rmem_max): a receive thread that stalls loses nothing for a while. */
    private static final int RECEIVE_BUFFER_BYTES = 1 << 20;

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final AtomicReferenceArray<SimulatedVm> byVlan = new AtomicReferenceArray<>(4096);
    private final LongAdder unclaimed = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final Thread receiver;
    private volatile InetSocketAddress[] trunks;
    private volatile boolean closed;

    private PseudoWire(InetSocketAddress bind, List<InetSocketAddress> trunks) throws IOException {
        this.trunks = trunks.toArray(new InetSocketAddress[0]);
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
            ch.bind(bind);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        channel = ch;
        localAddress = (InetSocketAddress) ch.getLocalAddress();
        receiver = new Thread(this::receiveLoop, "pm-sim-wire-" + localAddress.getPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Opens a wire bound to {@code bind} (port 0 for any) that sends to every address in {@code trunks}. */
    public static PseudoWire open(InetSocketAddress bind, List<InetSocketAddress> trunks) throws IOException {
        return new PseudoWire(bind, List.copyOf(trunks));
    }

    /** Opens a wire to one trunk, bound to an ephemeral port on the loopback address when the trunk is loopback. */
    public static PseudoWire open(InetSocketAddress trunk) throws IOException {
        InetAddress trunkAddress = trunk.getAddress();
        InetSocketAddress bind = trunkAddress != null && trunkAddress.isLoopbackAddress()
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)
                : new InetSocketAddress(0);
        return open(bind, List.of(trunk));
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public List<InetSocketAddress> trunks() {
        return List.of(trunks);
    }

    /** Points the wire at other trunks, as when a simulated VM's port group is rewired. */
    public void setTrunks(List<InetSocketAddress> trunks) {
        this.trunks = trunks.toArray(new InetSocketAddress[0]);
    }

    /** Frames received for a VLAN that no VM on this wire has, or untagged. */
    public long unclaimedFrames() {
        return unclaimed.sum();
    }

    /** Sends that failed at the socket. */
    public long sendFailures() {
        return sendFailures.sum();
    }

    void attach(SimulatedVm vm) {
        if (!byVlan.compareAndSet(vm.vlan(), null, vm)) {
            throw new IllegalStateException("VLAN " + vm.vlan() + " already has a VM on wire " + localAddress);
        }
    }

    void detach(SimulatedVm vm) {
        byVlan.compareAndSet(vm.vlan(), vm, null);
    }

    /** Sends one tagged frame to every trunk. */
    public void send(byte[] frame, int off, int len) {
        for (InetSocketAddress trunk : trunks) {
            try {
                channel.send(ByteBuffer.wrap(frame, off, len), trunk);
            } catch (IOException | RuntimeException e) {
                sendFailures.increment();
                log.debug("wire {}: send to {} failed", localAddress, trunk, e);
            }
        }
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        byte[] frame = new byte[MAX_DATAGRAM];
        // Bounded by the channel: close() makes receive() throw.
        while (!closed) {
            buf.clear();
            SocketAddress from;
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                log.debug("wire {}: receive failed", localAddress, e);
                continue;
            }
            if (from == null) {
                continue;
            }
            int len = buf.flip().remaining();
            buf.get(frame, 0, len);
            int vlan = EtherFrames.vlan(frame, len);
            SimulatedVm vm = vlan < 0 ? null : byVlan.get(vlan);
            if (vm == null) {
                unclaimed.increment();
                continue;
            }
            try {
                vm.onFrame(frame, len);
            } catch (RuntimeException e) {
                log.debug("wire {}: VM {} failed on a frame", localAddress, vm, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing wire {}", localAddress, e);
        }
        if (Thread.currentThread() != receiver) {
            try {
                receiver.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
