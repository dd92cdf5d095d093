package io.portmesh.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Connects two VLANs back to back, as the smallest stand-in for a switch: a frame arriving tagged with one VLAN is
 * re-tagged with the other and sent to that VLAN's wire. A policy decides per frame to forward, drop, duplicate, or
 * hold it until the next forwarded frame has gone (a reorder).
 */
final class TestRelay implements AutoCloseable {
    enum Action {
        FORWARD,
        DROP,
        DUPLICATE,
        HOLD
    }

    private final DatagramChannel channel;
    private final int vlanA;
    private final int vlanB;
    private volatile InetSocketAddress wireA;
    private volatile InetSocketAddress wireB;
    private final Thread thread;

    private record Held(byte[] frame, InetSocketAddress to) {}

    private volatile Function<byte[], Action> policy = f -> Action.FORWARD;

    TestRelay(int vlanA, int vlanB) throws IOException {
        this.vlanA = vlanA;
        this.vlanB = vlanB;
        channel = DatagramChannel.open();
        // streams of 1,000 frames/s each way must survive a stalled relay thread on a loaded machine
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::run, "test-relay");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Where the wires of VLAN A and VLAN B are; frames are dropped until this is called. */
    void connect(InetSocketAddress wireA, InetSocketAddress wireB) {
        this.wireA = wireA;
        this.wireB = wireB;
    }

    void setPolicy(Function<byte[], Action> policy) {
        this.policy = policy;
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(65_535);
        List<Held> held = new ArrayList<>();
        while (channel.isOpen()) {
            buf.clear();
            try {
                SocketAddress from = channel.receive(buf);
                if (from == null) {
                    continue;
                }
                byte[] frame = Arrays.copyOf(buf.array(), buf.position());
                int vlan = EtherFrames.vlan(frame, frame.length);
                if ((vlan != vlanA && vlan != vlanB) || wireA == null) {
                    continue;
                }
                int outVlan = vlan == vlanA ? vlanB : vlanA;
                InetSocketAddress to = vlan == vlanA ? wireB : wireA;
                frame[14] = (byte) (outVlan >>> 8);
                frame[15] = (byte) outVlan;
                switch (policy.apply(frame)) {
                    case DROP -> {}
                    case HOLD -> held.add(new Held(frame, to));
                    case DUPLICATE -> {
                        channel.send(ByteBuffer.wrap(frame), to);
                        channel.send(ByteBuffer.wrap(frame), to);
                    }
                    case FORWARD -> {
                        channel.send(ByteBuffer.wrap(frame), to);
                        // Release what was held for the same destination: it now arrives after a later frame.
                        for (Held h : held) {
                            if (h.to.equals(to)) {
                                channel.send(ByteBuffer.wrap(h.frame), to);
                            }
                        }
                        held.removeIf(h -> h.to.equals(to));
                    }
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
