package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.io.TrunkStateLog.Transition;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trunk state line's format and its parser, which tests elsewhere use to merge two agents' logs. */
class TrunkStateLogTest {
    @Test
    void aFormattedLineParsesBackToItsTransition() {
        Transition up = new Transition(true, 20_058_056_668_929L, "esx-1", "a");
        Transition down = new Transition(false, 20_058_056_700_000L, "esx-1", "b");

        assertThat(TrunkStateLog.format(up, "change"))
                .isEqualTo("trunk admin-state up at-nanos=20058056668929 host=esx-1 slot=a cause=change");
        assertThat(TrunkStateLog.parse(TrunkStateLog.format(up, "change"))).contains(up);
        assertThat(TrunkStateLog.parse(TrunkStateLog.format(down, "close"))).contains(down);
    }

    @Test
    void theLineIsFoundInsideALogLineWithWhateverPatternPrecedesIt() {
        String logged = "19:27:03.731 INFO  [agent-control-esx-1-b] io.portmesh.agent.io.TrunkStateLog - "
                + "trunk admin-state up at-nanos=20059373118775 host=esx-1 slot=b cause=change";

        assertThat(TrunkStateLog.parse(logged)).contains(new Transition(true, 20_059_373_118_775L, "esx-1", "b"));
    }

    @Test
    void fieldsAfterTheSlotAreIgnoredAndNegativeNanosAreRead() {
        assertThat(TrunkStateLog.parse("trunk admin-state down at-nanos=-42 host=h slot=b"))
                .contains(new Transition(false, -42, "h", "b"));
        assertThat(TrunkStateLog.parse("trunk admin-state down at-nanos=7 host=h slot=b cause=start extra=1"))
                .contains(new Transition(false, 7, "h", "b"));
    }

    @Test
    void otherLinesAreNotTransitions() {
        assertThat(TrunkStateLog.parse(null)).isEmpty();
        assertThat(TrunkStateLog.parse("")).isEqualTo(Optional.empty());
        assertThat(TrunkStateLog.parse("agent esx-1 slot b up: trunk /127.0.0.1:1 vxlan /127.0.1.2:4789"))
                .isEmpty();
        assertThat(TrunkStateLog.parse("trunk admin-state sideways at-nanos=1 host=h slot=a"))
                .isEmpty();
        assertThat(TrunkStateLog.parse("trunk admin-state up at-nanos=soon host=h slot=a"))
                .isEmpty();
        assertThat(TrunkStateLog.parse("trunk admin-state up at-nanos=99999999999999999999 host=h slot=a"))
                .as("past a long")
                .isEmpty();
        assertThat(TrunkStateLog.parse("trunk admin-state up at-nanos=1 host=h"))
                .isEmpty();
    }
}
