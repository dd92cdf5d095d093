package io.portmesh.loadtest.nodeloss;

import static org.assertj.core.api.Assertions.assertThat;

/** The assertions every node-loss test makes on its {@link NodeLossRun.Figures}, one per figure of issue 18. */
final class FigureAssertions {
    private FigureAssertions() {}

    static void everyAcknowledgedPortReadsBack(NodeLossRun.Figures f) {
        assertThat(f.acked()).as("ports acknowledged").isPositive();
        assertThat(f.notReadBack()).as("acknowledged ports lost or changed").isEmpty();
    }

    static void noFrameLost(NodeLossRun.Figures f) {
        assertThat(f.frames().sent()).isPositive();
        assertThat(f.frames().lost())
                .as("frames lost, both directions: %s", f.frames())
                .isZero();
    }

    /**
     * The load only creates and binds, so every flow-mod of a change adds a flow the agent did not have; the baseline
     * window (no node lost) checks that accounting (flow-mods applied minus flows gained = 0). From right before the
     * event to the end, a flow-mod that added no flow rewrote or removed one: explained only by a stranded change in
     * flight being rolled back and repeated ({@link InFlightChanges}); any other (a re-mastered host's reconciliation
     * that was not a no-op) is beyond the changes in flight and must be 0.
     */
    static void noFlowModBeyondTheChangesInFlight(NodeLossRun.Figures f) {
        assertThat(f.baselineUnexplainedFlowMods())
                .as("flow-mods that added no flow in the baseline (the accounting itself)")
                .isZero();
        assertThat(f.unexplainedBeyondInFlight())
                .as(
                        "flow-mods that added no flow and no stranded change in flight explains, from before the event"
                                + " to the end (%d applied, %d added no flow: %s)",
                        f.flowModsApplied(), f.unexplainedFlowMods(), f.unexplainedWhere())
                .isZero();
    }

    static void everyFailedCallRetryable(NodeLossRun.Figures f) {
        assertThat(f.calls().calls()).isPositive();
        assertThat(f.calls().notRetryable())
                .as("calls that failed not retryably: %s", f.calls().describe())
                .isEmpty();
    }

    static void noTwoMastersAndEveryHostRealized(NodeLossRun.Figures f) {
        assertThat(f.twoMasters()).isEmpty();
        assertThat(f.unsettled()).as("hosts not realized at the end").isEmpty();
    }
}
