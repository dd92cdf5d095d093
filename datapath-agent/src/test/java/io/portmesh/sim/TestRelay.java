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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Connects two sides back to back, as the smallest stand-in for a switch: a frame arriving tagged with a VLAN of one
 * side is re-tagged with the VLAN of each leg of the other side and sent to that leg's wire. Each side starts with one
 * leg; a second leg on a side ({@link #addLeg}) models dual delivery while a VM moves: the copy for the leg added
 * first is sent first. A policy decides per copy to forward, drop, duplicate, or hold it until the next forwarded
 * copy to the same wire has gone (a reorder).
 */
final class TestRelay implements AutoCloseable {
    enum Action {
        FORWARD,
        DROP,
        DUPLICATE,
        HOLD
    }

    enum Side {
        A,
        B
    }

    /** A port group: frames for it are tagged {@code vlan} and sent to {@code wire}. */
    private record Leg(int vlan, InetSocketAddress wire) {}

    private final DatagramChannel channel;
    private final int vlanA;
    private final int vlanB;
    private final List<Leg> sideA = new CopyOnWriteArrayList<>();
    private final List<Leg> sideB = new CopyOnWriteArrayList<>();
    private volatile boolean connected;
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
        sideA.add(new Leg(vlanA, wireA));
        sideB.add(new Leg(vlanB, wireB));
        connected = true;
    }

    /** Another port group on {@code side}: frames from the other side go to it too (after the earlier legs). */
    void addLeg(Side side, int vlan, InetSocketAddress wire) {
        (side == Side.A ? sideA : sideB).add(new Leg(vlan, wire));
    }

    /** Stops delivering to the legs of {@code vlan} on {@code side}. */
    void removeLeg(Side side, int vlan) {
        (side == Side.A ? sideA : sideB).removeIf(l -> l.vlan == vlan);
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
                byte[] received = Arrays.copyOf(buf.array(), buf.position());
                int vlan = EtherFrames.vlan(received, received.length);
                List<Leg> targets = hasLeg(sideA, vlan) ? sideB : hasLeg(sideB, vlan) ? sideA : null;
                if (targets == null || !connected) {
                    continue;
                }
                for (Leg leg : targets) {
                    byte[] frame = received.clone();
                    frame[14] = (byte) (leg.vlan >>> 8);
                    frame[15] = (byte) leg.vlan;
                    InetSocketAddress to = leg.wire;
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
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean hasLeg(List<Leg> side, int vlan) {
        for (Leg l : side) {
            if (l.vlan == vlan) {
                return true;
            }
        }
        return false;
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
