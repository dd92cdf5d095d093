package io.portmesh.loadtest.nodeloss;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The assertions every node-loss test makes on its {@link NodeLossRun.Figures}, one per figure of issue 18. */
final class FigureAssertions {
    private FigureAssertions() {}

    static void everyAcknowledgedPortReadsBack(NodeLossRun.Figures f) {
        assertThat(f.acked()).as("ports acknowledged").isPositive();
        assertThat(f.notReadBack()).as("acknowledged ports lost or changed").isEmpty();
    }

    /**
     * Artery drops a message over its frame size with no more than an error in the sender's log, and whatever waited
     * for it waits on: a Host's read of a switch with over about 2,000 flows was lost that way (the flows now travel
     * in parts). Every node log of the run ({@code node-*.log} under {@code logs}) is read for it.
     */
    static void noNodeDroppedAMessageForItsSize(Path logs) throws IOException {
        List<String> dropped = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(p -> p.getFileName().toString().startsWith("node-"))
                    .toList()) {
                try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                    lines.filter(l -> l.contains("OversizedPayloadException"))
                            .limit(3)
                            .forEach(l -> dropped.add(log.getFileName() + ": " + l));
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        }
        assertThat(dropped)
                .as("messages the nodes' remoting dropped for their size")
                .isEmpty();
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
