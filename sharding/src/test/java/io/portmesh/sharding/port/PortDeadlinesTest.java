package io.portmesh.sharding.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The port's waits, now in one class: the same figures as when they were in LogicalPortEntity and MoveSteps. */
class PortDeadlinesTest {
    private static final Duration ASK = Duration.ofSeconds(10);
    private static final Duration REALIZE = Duration.ofSeconds(10);

    @Test
    void aSilentHostIsAskedAgainAfter200MsDoublingUpTo3S() {
        assertThat(IntStream.of(0, 1, 2, 3, 4, 5, 63).mapToObj(PortDeadlines::retryDelay))
                .extracting(Duration::toMillis)
                .containsExactly(200L, 400L, 800L, 1600L, 3000L, 3000L, 3000L);
    }

    @Test
    void aClientWaitsASecondLongerThanThePortTakesToAnswer() {
        assertThat(PortDeadlines.answerWithin(ASK, REALIZE, false)).isEqualTo(Duration.ofSeconds(20));
        assertThat(PortDeadlines.answerWithin(ASK, REALIZE, true)).isEqualTo(Duration.ofSeconds(30));
        assertThat(LogicalPortEntity.clientTimeout(ASK, REALIZE, true)).isEqualTo(Duration.ofSeconds(31));
        assertThat(PortDeadlines.moveAnswerWithin(ASK, REALIZE, false)).isEqualTo(Duration.ofSeconds(60));
        assertThat(PortDeadlines.moveAnswerWithin(ASK, REALIZE, true)).isEqualTo(Duration.ofSeconds(80));
        assertThat(LogicalPortEntity.moveClientTimeout(ASK, REALIZE, false)).isEqualTo(Duration.ofSeconds(61));
    }

    @Test
    void aMovesSwitchStepWaitsAnAskMoreThanTheSwitchWhenRealizationIsAwaited() {
        assertThat(PortDeadlines.moveSwitchTimeout(ASK, REALIZE, false)).isEqualTo(ASK);
        assertThat(PortDeadlines.moveSwitchTimeout(ASK, REALIZE, true)).isEqualTo(Duration.ofSeconds(30));
    }
}
