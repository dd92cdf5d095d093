package io.portmesh.sharding.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One line per key and window, the lines not written counted into the next; bounded keys; outside text made safe. */
class OncePerWindowTest {
    static final long SECOND = 1_000_000_000L;
    final AtomicLong now = new AtomicLong(100 * SECOND);

    @Test
    void aKeyGetsOneLinePerWindowAndTheNextSaysHowManyWereNotWritten() {
        OncePerWindow lines = new OncePerWindow(Duration.ofSeconds(10), 8, now::get);
        assertThat(lines.admit("a")).isEqualTo(OptionalLong.of(0));
        assertThat(lines.admit("a")).isEmpty();
        assertThat(lines.admit("b")).as("another key has its own window").isEqualTo(OptionalLong.of(0));
        now.addAndGet(9 * SECOND);
        assertThat(lines.admit("a")).isEmpty();
        now.addAndGet(SECOND);
        assertThat(lines.admit("a")).as("two not written since").isEqualTo(OptionalLong.of(2));
        assertThat(lines.admit("a")).isEmpty();
    }

    @Test
    void atMostMaxKeysAreRememberedTheLeastRecentlyWrittenForgottenFirst() {
        OncePerWindow lines = new OncePerWindow(Duration.ofSeconds(10), 2, now::get);
        lines.admit("a");
        lines.admit("b");
        lines.admit("c"); // a is forgotten
        assertThat(lines.admit("a")).as("forgotten: written again").isEqualTo(OptionalLong.of(0));
        assertThat(lines.admit("c")).as("still remembered").isEmpty();
    }

    @Test
    void outsideTextLosesItsControlCharactersAndIsCut() {
        assertThat(OncePerWindow.printable("portmesh host=h\nFAKE LINE\r\u0000"))
                .isEqualTo("portmesh host=h?FAKE LINE??");
        String longText = "x".repeat(5_000);
        assertThat(OncePerWindow.printable(longText))
                .hasSize(OncePerWindow.MAX_PRINTED + "...(5000 characters)".length())
                .endsWith("...(5000 characters)");
    }
}
