package io.portmesh.sharding.host;

import static io.portmesh.sharding.host.HostPairFixture.trunkOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.service.HostInfo;
import io.portmesh.sharding.southbound.SessionCommand;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A host with one agent (no pair, so no fence; possibly a stock Open vSwitch) ignores its trunk reports as it did
 * before issue 17's re-assertion (docs/architecture.md 7.2, "Trunk reports"): an operator who takes the trunk down by
 * hand is not overruled within the second; the next read brings it up.
 */
class HostTrunkReportSingleAgentTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aTrunkReportedDownOnAHostWithOneAgentIsLeftToTheNextRead() {
        HostPairFixture one = new HostPairFixture(testKit);
        TestProbe<SessionCommand> only = testKit.createTestProbe();
        assertThat(trunkOf(one.connect(only, "a", "10.0.0.1", false))).contains(true);
        var reasserts = NodeMetrics.get(testKit.system()).trunkReasserts;
        double before = reasserts.labelValues("reasserted").get()
                + reasserts.labelValues("deferred").get();

        assertThat(one.kit
                        .runCommand(new HostProtocol.TrunkReported(only.ref(), false))
                        .hasNoEvents())
                .isTrue();

        only.expectNoMessage(Duration.ofMillis(1_500));
        assertThat(reasserts.labelValues("reasserted").get()
                        + reasserts.labelValues("deferred").get())
                .isEqualTo(before);
        assertThat(one.info().slots()).extracting(HostInfo.SlotInfo::trunk).containsExactly("up");
    }
}
