package io.portmesh.cluster.rest;

import java.time.Duration;

/**
 * Limits of the northbound API.
 *
 * @param maxBodyBytes request bodies above this size are refused with 413 before they are parsed
 * @param requestTimeout how long a request may take before the server answers 503 on its own; it must exceed the
 *     realization timeout so that {@code ?wait=realized} can answer 202 itself
 */
public record RestSettings(long maxBodyBytes, Duration requestTimeout) {
    public static final RestSettings DEFAULTS = new RestSettings(64 * 1024, Duration.ofSeconds(30));

    public RestSettings {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
    }
}
