package io.portmesh.openflow;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of OpenFlow connections, shared by {@link OfServer} and {@link OfClient}.
 *
 * @param echoInterval idle time after which an ECHO_REQUEST is sent, and the spacing of further ones
 * @param echoMissLimit unanswered echoes after which the connection is closed; a silent peer is detected
 *     after about {@code echoInterval * (echoMissLimit + 1)}
 * @param handshakeTimeout time allowed from TCP connect to the end of the handshake (also the connect timeout)
 * @param requestTimeout time after which a pending request, barrier or multipart future fails
 * @param reconnectMin first delay of a client's reconnect backoff
 * @param reconnectMax largest delay of a client's reconnect backoff
 * @param malformedPolicy whether a connection survives a message it cannot parse
 */
public record OfConfig(
        Duration echoInterval,
        int echoMissLimit,
        Duration handshakeTimeout,
        Duration requestTimeout,
        Duration reconnectMin,
        Duration reconnectMax,
        MalformedPolicy malformedPolicy) {

    public OfConfig {
        requirePositive(echoInterval, "echoInterval");
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(reconnectMin, "reconnectMin");
        requirePositive(reconnectMax, "reconnectMax");
        Objects.requireNonNull(malformedPolicy, "malformedPolicy");
        if (echoMissLimit < 1) {
            throw new IllegalArgumentException("echoMissLimit must be >= 1: " + echoMissLimit);
        }
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnectMax < reconnectMin");
        }
    }

    /** Sub-second failure detection (200 ms x 3 misses), 5 s handshake, 10 s requests, 100 ms..5 s backoff. */
    public static OfConfig defaults() {
        return new OfConfig(
                Duration.ofMillis(200),
                3,
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofMillis(100),
                Duration.ofSeconds(5),
                MalformedPolicy.BY_ROLE);
    }

    public OfConfig withEcho(Duration interval, int missLimit) {
        return new OfConfig(
                interval, missLimit, handshakeTimeout, requestTimeout, reconnectMin, reconnectMax, malformedPolicy);
    }

    public OfConfig withHandshakeTimeout(Duration timeout) {
        return new OfConfig(
                echoInterval, echoMissLimit, timeout, requestTimeout, reconnectMin, reconnectMax, malformedPolicy);
    }

    public OfConfig withRequestTimeout(Duration timeout) {
        return new OfConfig(
                echoInterval, echoMissLimit, handshakeTimeout, timeout, reconnectMin, reconnectMax, malformedPolicy);
    }

    public OfConfig withReconnectBackoff(Duration min, Duration max) {
        return new OfConfig(echoInterval, echoMissLimit, handshakeTimeout, requestTimeout, min, max, malformedPolicy);
    }

    public OfConfig withMalformedPolicy(MalformedPolicy policy) {
        return new OfConfig(
                echoInterval, echoMissLimit, handshakeTimeout, requestTimeout, reconnectMin, reconnectMax, policy);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
