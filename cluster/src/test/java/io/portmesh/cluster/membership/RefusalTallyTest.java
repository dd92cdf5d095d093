package io.portmesh.cluster.membership;

import static io.portmesh.cluster.membership.PortProbe.Outcome.LISTENING;
import static io.portmesh.cluster.membership.PortProbe.Outcome.REFUSED;
import static io.portmesh.cluster.membership.PortProbe.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RefusalTallyTest {
    @Test
    void aMemberSeenListeningIsProvenGoneByTheLimitthRefusalInARowAndStaysSo() {
        RefusalTally<String> t = new RefusalTally<>(2);
        t.record("n1#1", LISTENING);
        assertFalse(t.record("n1#1", REFUSED));
        assertTrue(t.record("n1#1", REFUSED));
        assertTrue(t.record("n1#1", REFUSED), "still proven: a node without a majority then may act once it has one");
    }

    @Test
    void refusalsOfAnIncarnationNeverSeenListeningProveNothing() {
        RefusalTally<String> t = new RefusalTally<>(2);
        for (int i = 0; i < 5; i++) {
            assertFalse(t.record("n1#1", REFUSED), "a stale address or a proxy without an endpoint refuses too");
        }
        assertEquals(0, t.count("n1#1"));
    }

    @Test
    void anythingButARefusalStartsTheSeriesAgain() {
        RefusalTally<String> t = new RefusalTally<>(2);
        t.record("n1#1", LISTENING);
        t.record("n1#1", REFUSED);
        assertFalse(t.record("n1#1", LISTENING));
        assertFalse(t.record("n1#1", REFUSED), "a listening member's next refusal is the first of a new series");
        assertFalse(t.record("n1#1", UNKNOWN), "silence (a partition) proves nothing and breaks the series");
        assertFalse(t.record("n1#1", REFUSED));
        assertTrue(t.record("n1#1", REFUSED));
    }

    @Test
    void incarnationsAreCountedApartAndForgottenWhenGone() {
        RefusalTally<String> t = new RefusalTally<>(3);
        t.record("n1#1", LISTENING);
        t.record("n2#1", LISTENING);
        t.record("n1#1", REFUSED);
        t.record("n1#1", REFUSED);
        t.record("n2#1", REFUSED);
        assertEquals(2, t.count("n1#1"));
        assertEquals(0, t.count("n1#2"), "a new incarnation on the same port starts with no count");
        t.retain(Set.of("n2#1"));
        assertEquals(0, t.count("n1#1"));
        assertEquals(1, t.count("n2#1"));
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RefusalTally<String>(0));
    }
}
