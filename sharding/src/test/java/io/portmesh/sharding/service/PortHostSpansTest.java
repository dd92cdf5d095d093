package io.portmesh.sharding.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PortHostSpansTest {
    @Test
    void aPortIsOnTheHostItIsBoundToAndOnBothHostsWhileItMoves() {
        PortHostSpans s = new PortHostSpans();
        s.add("Created", Map.of(), 10);
        s.add("Bound", Map.of("host", "esx-1"), 20);
        s.add("MoveStarted", Map.of("to", "esx-2"), 30);
        s.add("MoveActivated", Map.of(), 35);
        s.add("MoveCompleted", Map.of(), 40);
        s.add("Unbound", Map.of("host", "esx-2"), 50);

        assertThat(s.hosts()).containsExactly("esx-1", "esx-2");
        assertThat(s.on("esx-1", 15)).as("not bound yet").isFalse();
        assertThat(s.on("esx-1", 25)).isTrue();
        assertThat(s.on("esx-1", 35)).as("still on the source while moving").isTrue();
        assertThat(s.on("esx-2", 35))
                .as("already on the destination while moving")
                .isTrue();
        assertThat(s.on("esx-1", 45)).as("moved away").isFalse();
        assertThat(s.on("esx-2", 45)).isTrue();
        assertThat(s.on("esx-2", 55)).as("unbound").isFalse();
    }

    @Test
    void aRolledBackMoveLeavesThePortOnItsSourceOnly() {
        PortHostSpans s = new PortHostSpans();
        s.add("Bound", Map.of("host", "esx-1"), 20);
        s.add("MoveStarted", Map.of("to", "esx-2"), 30);
        s.add("MoveRolledBack", Map.of(), 40);
        assertThat(s.on("esx-2", 35)).isTrue();
        assertThat(s.on("esx-2", 45)).isFalse();
        assertThat(s.on("esx-1", 1_000)).as("still bound there").isTrue();
    }
}
