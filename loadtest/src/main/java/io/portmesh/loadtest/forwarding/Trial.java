package io.portmesh.loadtest.forwarding;

/**
 * How one path is measured, the same for the agent and for the relay: an uncounted warm-up blast (JIT, socket
 * buffers, the trunk learning the sender), then measured blasts, each followed by a pause until the counter is quiet
 * so that nothing of one blast is counted in the next.
 */
final class Trial {
    /** How long the counter must see nothing before a blast counts as drained. */
    private static final long QUIET_MILLIS = 300;
    /** Upper bound of a drain wait. */
    private static final long DRAIN_MAX_MILLIS = 5_000;

    /**
     * @param sent datagrams the sender handed to the kernel
     * @param forwarderIn datagrams the forwarder (agent ingress port, or relay) read off its socket
     * @param received datagrams that reached the counter
     * @param offeredPerSecond the sender's rate over its blast
     * @param deliveredPerSecond received over the time from the first send to the last arrival (or the end of the
     *     blast, if later)
     */
    record Result(
            int frameSize,
            long sent,
            long refused,
            long forwarderIn,
            long received,
            double offeredPerSecond,
            double deliveredPerSecond) {
        double loss() {
            return sent == 0 ? 0 : 1.0 - (double) received / sent;
        }

        /** Frames the forwarder never read: its socket's receive queue overflowed. */
        double lossBeforeForwarder() {
            return sent == 0 ? 0 : 1.0 - (double) forwarderIn / sent;
        }

        double deliveredGbits() {
            return deliveredPerSecond * frameSize * 8 / 1e9;
        }
    }

    private final long warmupNanos;
    private final long measureNanos;
    private final long maxFrames;
    private final double rate;

    Trial(double warmupSeconds, double measureSeconds, long maxFrames, double rate) {
        this.warmupNanos = (long) (warmupSeconds * 1e9);
        this.measureNanos = (long) (measureSeconds * 1e9);
        this.maxFrames = maxFrames;
        this.rate = rate;
    }

    void warmUp(ForwardingPath path, byte[] datagram) throws InterruptedException {
        if (warmupNanos > 0) {
            path.sender.blast(datagram, Long.MAX_VALUE, warmupNanos, rate);
        }
        path.counter.awaitQuiet(QUIET_MILLIS, DRAIN_MAX_MILLIS);
    }

    Result measure(ForwardingPath path, byte[] datagram, int frameSize) throws InterruptedException {
        long receivedBefore = path.counter.count();
        long inBefore = path.forwarderIn.getAsLong();
        Blaster.Run run = path.sender.blast(datagram, maxFrames, measureNanos, rate);
        long received = path.counter.awaitQuiet(QUIET_MILLIS, DRAIN_MAX_MILLIS) - receivedBefore;
        long in = path.forwarderIn.getAsLong() - inBefore;
        long window = Math.max(1, Math.max(path.counter.lastArrivalNanos(), run.endNanos()) - run.startNanos());
        return new Result(
                frameSize, run.sent(), run.refused(), in, received, run.offeredPerSecond(), received * 1e9 / window);
    }
}
