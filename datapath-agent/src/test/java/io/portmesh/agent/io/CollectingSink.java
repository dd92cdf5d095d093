package io.portmesh.agent.io;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A FrameSink that copies every frame it is given into a queue. */
final class CollectingSink implements FrameSink {
    record Received(int inPort, long tunnelId, int tunnelSrcIp, byte[] frame) {}

    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    @Override
    public void receive(int inPort, long tunnelId, int tunnelSrcIp, byte[] frame, int off, int len) {
        queue.add(new Received(inPort, tunnelId, tunnelSrcIp, Arrays.copyOfRange(frame, off, off + len)));
    }

    /** The next frame, failing the test if none comes within 5 s. */
    Received next() throws InterruptedException {
        Received r = queue.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no frame reached the sink within 5 s");
        }
        return r;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
