package io.portmesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sim.SeqWindow.Verdict;
import org.junit.jupiter.api.Test;

class SeqWindowTest {
    private final SeqWindow window = new SeqWindow();

    @Test
    void tellsNewLateAndDuplicateApart() {
        assertThat(window.accept(1)).isEqualTo(Verdict.IN_ORDER);
        assertThat(window.accept(3)).isEqualTo(Verdict.IN_ORDER);
        assertThat(window.accept(2)).isEqualTo(Verdict.OUT_OF_ORDER);
        assertThat(window.accept(2)).isEqualTo(Verdict.DUPLICATE);
        assertThat(window.accept(3)).isEqualTo(Verdict.DUPLICATE);
        assertThat(window.accept(4)).isEqualTo(Verdict.IN_ORDER);
    }

    @Test
    void forgetsBitsThatTheWindowSlidesOver() {
        long base = 10;
        assertThat(window.accept(base)).isEqualTo(Verdict.IN_ORDER);
        // base + WINDOW maps onto the same bit as base; the bit of the skipped number must read as unseen.
        assertThat(window.accept(base + SeqWindow.WINDOW - 1)).isEqualTo(Verdict.IN_ORDER);
        assertThat(window.accept(base + SeqWindow.WINDOW)).isEqualTo(Verdict.IN_ORDER);
        assertThat(window.accept(base + 5)).isEqualTo(Verdict.OUT_OF_ORDER); // too old to judge
        assertThat(window.accept(base + SeqWindow.WINDOW - 2)).isEqualTo(Verdict.OUT_OF_ORDER);
        assertThat(window.accept(base + SeqWindow.WINDOW - 2)).isEqualTo(Verdict.DUPLICATE);
        assertThat(window.accept(base + 3 * SeqWindow.WINDOW)).isEqualTo(Verdict.IN_ORDER);
        assertThat(window.accept(base + 3 * SeqWindow.WINDOW - 1)).isEqualTo(Verdict.OUT_OF_ORDER);
    }
}
