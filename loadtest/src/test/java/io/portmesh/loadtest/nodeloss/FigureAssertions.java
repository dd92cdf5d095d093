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
     * Explained: every flow-mod of a change in flight adds a flow the agent did not have (the load only creates and
     * binds; see {@link AgentStates#unexplainedFlowMods}). So from right before the event to the end, the flow-mods the
     * agents applied minus the flows they gained must be 0: every re-mastered host's reconciliation found its agent
     * right and sent nothing. The baseline window (no node lost) checks that accounting.
     */
    static void noFlowModBeyondTheChangesInFlight(NodeLossRun.Figures f) {
        assertThat(f.baselineUnexplainedFlowMods())
                .as("flow-mods that added no flow in the baseline (the accounting itself)")
                .isZero();
        assertThat(f.unexplainedFlowMods())
                .as("flow-mods that added no flow, from before the event to the end (%d applied)", f.flowModsApplied())
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
