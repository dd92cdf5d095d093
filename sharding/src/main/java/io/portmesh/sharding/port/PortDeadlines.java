package io.portmesh.sharding.port;

import java.time.Duration;

/**
 * How long a port's clients wait for its answer, how long the port itself waits for the switch, and how long it waits
 * before asking a silent entity again. In one place because the service's waits (through {@link
 * LogicalPortEntity#clientTimeout}) and the steps' deadlines must agree: the port answers within the client's wait.
 */
final class PortDeadlines {
    /** The wait before the first repeated ask to a host that did not answer; it doubles up to {@link #MAX_RETRY}. */
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);

    private static final Duration MAX_RETRY = Duration.ofSeconds(3);
    /** How much longer than the port's own deadline a client waits: the answer's way back. */
    private static final Duration REPLY_MARGIN = Duration.ofSeconds(1);

    private PortDeadlines() {}

    /**
     * How long a client waits for a {@link PortProtocol.ChangeRequest}'s answer. The port answers within it whether
     * the change is done or not: the host step and the switch step, each bounded by the ask timeout (the switch's plus
     * the realization wait when awaited), then a margin for the answer's way back.
     */
    static Duration clientTimeout(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return answerWithin(askTimeout, realizeTimeout, awaitRealized).plus(REPLY_MARGIN);
    }

    /**
     * How long a client waits for a move's answer: a move's end has more steps than a binding (the switch, the host
     * it leaves, the destination's confirmation, and with awaitRealized a wait for each of the two hosts' agents).
     */
    static Duration moveClientTimeout(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return moveAnswerWithin(askTimeout, realizeTimeout, awaitRealized).plus(REPLY_MARGIN);
    }

    /** When the port answers a move's client at the latest, done or not. */
    static Duration moveAnswerWithin(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        // an activation's switch step always waits for realization (repointedAt), awaited by the client or not
        return askTimeout.multipliedBy(5).plus(realizeTimeout.multipliedBy(awaitRealized ? 3 : 1));
    }

    /** When the port answers a change's client at the latest, done or not. */
    static Duration answerWithin(Duration askTimeout, Duration realizeTimeout, boolean awaitRealized) {
        return askTimeout.multipliedBy(2).plus(awaitRealized ? realizeTimeout : Duration.ZERO);
    }

    /**
     * How long a move's step waits for its switch's answer: the switch's own fan-out waits ask + realize when awaited,
     * so the port waits an ask more, not to give up just as the switch answers.
     */
    static Duration moveSwitchTimeout(Duration askTimeout, Duration realizeTimeout, boolean await) {
        return await ? askTimeout.multipliedBy(2).plus(realizeTimeout) : askTimeout;
    }

    /** {@link #FIRST_RETRY}, doubling with every attempt, at most {@link #MAX_RETRY}. */
    static Duration retryDelay(int attempt) {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempt, 10));
        return wait.compareTo(MAX_RETRY) < 0 ? wait : MAX_RETRY;
    }
}
