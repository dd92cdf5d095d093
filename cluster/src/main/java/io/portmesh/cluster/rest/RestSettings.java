package io.portmesh.cluster.rest;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and security of the northbound API.
 *
 * @param maxBodyBytes request bodies above this size are refused with 413 before they are parsed
 * @param requestTimeout how long a request may take before the server answers 503 on its own; it must exceed the
 *     realization timeout so that {@code ?wait=realized} can answer 202 itself
 * @param auth who may call it ({@code portmesh.rest.auth})
 * @param tls HTTPS or plain HTTP ({@code portmesh.rest.tls})
 */
public record RestSettings(long maxBodyBytes, Duration requestTimeout, RestAuth auth, RestTls tls) {
    public static final RestSettings DEFAULTS = new RestSettings(64 * 1024, Duration.ofSeconds(30));

    public RestSettings {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(tls, "tls");
    }

    /** Plain HTTP, no authentication. */
    public RestSettings(long maxBodyBytes, Duration requestTimeout) {
        this(maxBodyBytes, requestTimeout, RestAuth.OFF, RestTls.OFF);
    }

    public RestSettings withAuth(RestAuth a) {
        return new RestSettings(maxBodyBytes, requestTimeout, a, tls);
    }

    public RestSettings withTls(RestTls t) {
        return new RestSettings(maxBodyBytes, requestTimeout, auth, t);
    }

    /** These limits with the security of the {@code portmesh.rest} section of {@code root}. */
    public RestSettings withSecurityOf(Config root) {
        Config rest = root.getConfig("portmesh.rest");
        return withAuth(RestAuth.fromConfig(rest.getConfig("auth"))).withTls(RestTls.fromConfig(rest.getConfig("tls")));
    }
}
