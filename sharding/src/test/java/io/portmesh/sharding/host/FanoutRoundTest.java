package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * When a fan-out is done waiting for node answers (issue 18: a change whose hosts all run on surviving nodes must not
 * wait for a node that crashed and is silent until the failure detector marks it).
 */
class FanoutRoundTest {
    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void isDoneOnceEveryTargetWasClaimedWhileAnotherNodeIsStillSilent() {
        ActorRef<HostFanout.Deliver> survivor = node("survivor");
        ActorRef<HostFanout.Deliver> dead = node("dead");
        FanoutRound round = new FanoutRound(List.of("h1", "h2"), Set.of(survivor, dead));

        round.answered(survivor, delivered("h1", 3));
        assertThat(round.isDone()).as("h2 is not claimed yet").isFalse();
        round.answered(survivor, delivered("h2", 3));

        assertThat(round.done()).isCompletedWithValueMatching(m -> m.keySet().equals(Set.of("h1", "h2")));
    }

    @Test
    void stopsWaitingForASilentNodeOnceItIsNoLongerUsableAndLeavesItsHostsUnclaimed() {
        ActorRef<HostFanout.Deliver> survivor = node("survivor2");
        ActorRef<HostFanout.Deliver> dead = node("dead2");
        FanoutRound round = new FanoutRound(List.of("h1", "h-on-dead"), Set.of(survivor, dead));
        round.answered(survivor, delivered("h1", 1));

        round.forgetUnless(address -> true);
        assertThat(round.isDone()).as("the silent node still counts").isFalse();
        Address deadAddress = dead.path().address();
        round.forgetUnless(address -> !address.equals(deadAddress));

        assertThat(round.done()).isCompletedWithValue(Map.of("h1", applied(1)));
    }

    @Test
    void aFailedAskEndsTheWaitForThatNodeAndAnEmptyRoundIsDoneAtOnce() {
        ActorRef<HostFanout.Deliver> a = node("a3");
        FanoutRound round = new FanoutRound(List.of("h1"), Set.of(a));
        round.failed(a);
        assertThat(round.done()).isCompletedWithValue(Map.of());

        assertThat(new FanoutRound(List.of("h1"), Set.of()).done()).isCompletedWithValue(Map.of());
    }

    @Test
    void aHostAnsweredTwiceKeepsTheLaterVersion() {
        ActorRef<HostFanout.Deliver> a = node("a4");
        ActorRef<HostFanout.Deliver> b = node("b4");
        FanoutRound round = new FanoutRound(List.of("h1", "h2"), Set.of(a, b));
        round.answered(a, delivered("h1", 7));
        round.answered(b, new HostFanout.Delivered(Map.of("h1", applied(5), "h2", applied(7))));

        assertThat(round.done()).isCompletedWithValue(Map.of("h1", applied(7), "h2", applied(7)));
    }

    private static ActorRef<HostFanout.Deliver> node(String name) {
        TestProbe<HostFanout.Deliver> probe = testKit.createTestProbe(name);
        return probe.ref();
    }

    private static HostFanout.Delivered delivered(String host, long version) {
        return new HostFanout.Delivered(Map.of(host, applied(version)));
    }

    private static HostProtocol.Applied applied(long version) {
        return new HostProtocol.Applied(version, true);
    }
}
