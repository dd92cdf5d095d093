package io.portmesh.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.cluster.membership.OneWayFault.Unreachable;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one-way fault's signature, and the records that must not be taken for it (docs/architecture.md 7.3). */
class OneWayFaultTest {
    private static final Set<String> THREE = Set.of("n1", "n2", "n3");

    private static Unreachable<String> sees(String observer, String subject) {
        return new Unreachable<>(observer, subject);
    }

    @Test
    void aMemberThatClaimsTheOthersUnreachableWhileTheyAllSeeEachOtherAndNotItIsDeaf() {
        // n3 hears nobody; its gossip reached n1 and n2 before they noticed (the CI run's records)
        var records = List.of(sees("n1", "n3"), sees("n2", "n3"), sees("n3", "n1"), sees("n3", "n2"));
        assertThat(OneWayFault.deafMember("n1", THREE, records)).contains("n3");
        assertThat(OneWayFault.deafMember("n2", THREE, records)).contains("n3");
        assertThat(OneWayFault.deafMember("n3", THREE, records))
                .as("the deaf member never downs another on this rule")
                .isEmpty();
    }

    @Test
    void aPlainPartitionIsLeftToTheResolver() {
        // the cut-off member's own records never arrived: what the resolver handles cleanly (a stall whose claim did
        // arrive shows the signature; OneWayFaultDowning spares it because its port still answers)
        assertThat(OneWayFault.deafMember("n1", THREE, List.of(sees("n1", "n3"), sees("n2", "n3"))))
                .isEmpty();
    }

    @Test
    void notWhileOnlySomeOfTheOthersSeeItUnreachable() {
        var records = List.of(sees("n1", "n3"), sees("n3", "n1"));
        assertThat(OneWayFault.deafMember("n1", THREE, records)).isEmpty();
        assertThat(OneWayFault.deafMember("n2", THREE, records)).isEmpty();
    }

    @Test
    void notWhenTheOthersDoNotSeeEachOtherEither() {
        var records = List.of(sees("n1", "n3"), sees("n2", "n3"), sees("n3", "n1"), sees("n3", "n2"), sees("n1", "n2"));
        assertThat(OneWayFault.deafMember("n1", THREE, records)).isEmpty();
    }

    @Test
    void notWhenTheOthersAreNoMajority() {
        Set<String> four = Set.of("n1", "n2", "n3", "n4");
        // n3 and n4 cut from n1 and n2: two against two, each pair claiming the other: nobody has a majority
        var records = List.of(
                sees("n1", "n3"),
                sees("n2", "n3"),
                sees("n3", "n1"),
                sees("n4", "n1"),
                sees("n1", "n4"),
                sees("n2", "n4"),
                sees("n3", "n2"),
                sees("n4", "n2"));
        assertThat(OneWayFault.deafMember("n1", four, records)).isEmpty();
        assertThat(OneWayFault.deafMember("n1", Set.of("n1", "n2"), List.of(sees("n1", "n2"), sees("n2", "n1"))))
                .as("two members: the other one alone is no majority")
                .isEmpty();
    }

    @Test
    void notForAMemberThatIsNotCountedOrWhenThisNodeIsNot() {
        var records = List.of(sees("n1", "n3"), sees("n2", "n3"), sees("n3", "n1"), sees("n3", "n2"));
        assertThat(OneWayFault.deafMember("n1", Set.of("n1", "n2"), records))
                .as("n3 no longer counted (downed already)")
                .isEmpty();
        assertThat(OneWayFault.deafMember("n4", THREE, records))
                .as("a node not counted decides nothing")
                .isEmpty();
    }

    @Test
    void inFiveMembersTheDeafOneIsFoundToo() {
        Set<String> five = Set.of("n1", "n2", "n3", "n4", "n5");
        var records = List.of(sees("n1", "n5"), sees("n2", "n5"), sees("n3", "n5"), sees("n4", "n5"), sees("n5", "n2"));
        assertThat(OneWayFault.deafMember("n4", five, records)).contains("n5");
        assertThat(OneWayFault.deafMember("n4", five, records.subList(0, 4)))
                .as("without its own claim: a stall or a partition")
                .isEmpty();
    }
}
