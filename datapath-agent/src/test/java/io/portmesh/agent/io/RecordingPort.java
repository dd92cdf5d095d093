package io.portmesh.agent.io;

import io.portmesh.model.Mac;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A FramePort without I/O that records what it is asked to send. */
final class RecordingPort implements FramePort {
    record Sent(byte[] frame, long tunnelId, int tunnelDstIp) {}

    private final int number;
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile boolean adminUp = true;
    private volatile boolean closed;
    private volatile PortListener listener = (p, c) -> {};

    RecordingPort(int number) {
        this.number = number;
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public String name() {
        return "rec" + number;
    }

    @Override
    public Mac hwAddr() {
        return new Mac(0x0200_0000_0000L + number);
    }

    @Override
    public boolean isAdminUp() {
        return adminUp;
    }

    @Override
    public boolean setAdminUp(boolean up) {
        if (adminUp == up) {
            return false;
        }
        adminUp = up;
        listener.portChanged(this, PortChange.MODIFIED);
        return true;
    }

    @Override
    public boolean isLinkUp() {
        return !closed;
    }

    @Override
    public PortStats stats() {
        return new PortStats(0, sent.size(), 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void start(FrameSink sink) {}

    @Override
    public void send(byte[] frame, int off, int len, long tunnelId, int tunnelDstIp) {
        sent.add(new Sent(Arrays.copyOfRange(frame, off, off + len), tunnelId, tunnelDstIp));
    }

    @Override
    public void setStateListener(PortListener listener) {
        this.listener = listener;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
