package io.portmesh.loadtest.harness;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * A link fault's impairment, as its fault line gives it: {@code loss} (the fraction of frames dropped, default 0) and
 * {@code delay} (added to every frame, default 0ms). Null for a line with neither key (every other kind); the rules
 * are {@link FaultRules}'.
 */
public record LinkSpec(double loss, Duration delay) {
    static LinkSpec read(Config f) {
        if (!f.hasPath("loss") && !f.hasPath("delay")) {
            return f.hasPath("kind") && f.getString("kind").equals(Scenario.Kind.LINK.key)
                    ? new LinkSpec(0, Duration.ZERO)
                    : null;
        }
        return new LinkSpec(
                f.hasPath("loss") ? f.getDouble("loss") : 0,
                f.hasPath("delay") ? f.getDuration("delay") : Duration.ZERO);
    }

    public String describe() {
        return String.format("loss %s, delay %d ms", loss, delay.toMillis());
    }
}
