package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A fault that never got there (NaN) must not hide behind a later one that did: its kind's max stays NaN. */
class WorstFigureTest {
    @Test
    void aMissingFigureStaysMissingWhateverComesAfterIt() {
        RunChecks.Worst w = new RunChecks.Worst();
        w.add(250);
        w.add(Double.NaN);
        w.add(300);

        assertThat(w.value()).isNaN();
    }

    @Test
    void theMaxOfFiguresAllThereAndNaNWhenThereIsNone() {
        RunChecks.Worst w = new RunChecks.Worst();
        assertThat(w.value()).as("no fault of the kind").isNaN();
        w.add(250);
        w.add(120);

        assertThat(w.value()).isEqualTo(250);
    }
}
