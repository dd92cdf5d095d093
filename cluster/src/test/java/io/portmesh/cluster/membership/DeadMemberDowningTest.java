package io.portmesh.cluster.membership;

import static io.portmesh.cluster.membership.LocalMembers.awaitUntil;
import static io.portmesh.cluster.membership.LocalMembers.countUp;
import static io.portmesh.cluster.membership.LocalMembers.isMember;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three cluster members in this JVM (cluster only, no entities). One stops without leaving, the way a crashed process
 * does: its port closes, it says goodbye to nobody. The failure detector and the resolver are set far beyond the
 * test's wait (20 s each), so only the refused-port proof can have removed it in time; the survivors' counter says
 * they did.
 */
class DeadMemberDowningTest {
    private LocalMembers members;

    @AfterEach
    void stop() {
        if (members != null) {
            members.close();
        }
    }

    @Test
    void aMemberWhosePortRefusesIsRemovedLongBeforeTheFailureDetectorWould() throws Exception {
        members = LocalMembers.start(3, "", DeadMemberDowning::start);
        Address gone = Cluster.get(members.systems.get(2)).selfMember().address();

        long stopped = System.nanoTime();
        members.crashLast();

        awaitUntil(
                Duration.ofSeconds(10),
                "the stopped member removed by both survivors",
                () -> members.systems.stream().noneMatch(s -> isMember(s, gone)));
        double tookMs = (System.nanoTime() - stopped) / 1e6;
        assertTrue(tookMs < 10_000, "removed after " + tookMs + " ms");
        double downed = 0;
        for (ActorSystem<Void> s : members.systems) {
            downed += NodeMetrics.get(s).membersDownedAsGone.get();
        }
        assertTrue(downed >= 1, "a survivor downed it as gone (counter " + downed + ")");
        for (ActorSystem<Void> s : members.systems) {
            assertEquals(MemberStatus.up(), Cluster.get(s).selfMember().status(), "the survivors stay Up");
            assertEquals(2, countUp(s));
        }
    }
}
