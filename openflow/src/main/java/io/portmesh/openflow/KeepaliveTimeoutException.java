package io.portmesh.openflow;

import java.time.Duration;

/** The peer left {@code missedEchoes} echo requests unanswered: the connection was closed. */
public final class KeepaliveTimeoutException extends OfException {
    private final int missedEchoes;
    private final Duration interval;

    public KeepaliveTimeoutException(int missedEchoes, Duration interval) {
        super("no reply to " + missedEchoes + " echo requests sent every " + interval.toMillis() + " ms");
        this.missedEchoes = missedEchoes;
        this.interval = interval;
    }

    public int missedEchoes() {
        return missedEchoes;
    }

    public Duration interval() {
        return interval;
    }
}
