package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysDoubleWithinBoundsAndResetToTheMinimum() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), new Random(1));
        long[] delays = new long[8];
        for (int i = 0; i < delays.length; i++) {
            delays[i] = backoff.nextDelayMillis();
        }
        assertThat(delays[0]).isBetween(100L, 125L);
        assertThat(delays[1]).isBetween(200L, 250L);
        assertThat(delays[2]).isBetween(400L, 500L);
        assertThat(delays[3]).isBetween(800L, 1000L);
        for (int i = 4; i < delays.length; i++) {
            assertThat(delays[i]).isEqualTo(1000L); // capped, jitter included
        }
        backoff.reset();
        assertThat(backoff.nextDelayMillis()).isBetween(100L, 125L);
    }
}
