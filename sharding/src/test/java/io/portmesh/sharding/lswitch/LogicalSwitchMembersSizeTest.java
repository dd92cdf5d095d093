package io.portmesh.sharding.lswitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sharding.EntityTestKits;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LogicalSwitchEntity#MAX_PORTS} is what fits: a switch's member list travels to hosts on other nodes in one
 * message, and Artery drops one over its 256 KiB frame (docs/architecture.md section 6.2).
 */
class LogicalSwitchMembersSizeTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final int ARTERY_FRAME = 256 * 1024;

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aFullSwitchWhoseEveryPortMovesWithAStandbyFitsOneArteryFrame() {
        List<SwitchMembers.Member> members = new ArrayList<>();
        for (int i = 0; i < LogicalSwitchEntity.MAX_PORTS; i++) {
            // the lengths of real ids; the API allows longer ones, which this limit does not cover (section 6.2)
            members.add(new SwitchMembers.Member(
                    "port-" + Long.toHexString(0x54e1_94f7_6c75_0000L + i),
                    String.format("02:00:00:%02x:%02x:%02x", i >> 16 & 255, i >> 8 & 255, i & 255),
                    "esx-rack12-host-" + (i % 1000),
                    "10.201." + (i % 250) + "." + (i % 200),
                    "esx-rack13-host-" + (i % 1000),
                    "10.202." + (i % 250) + "." + (i % 200),
                    "10.203." + (i % 250) + "." + (i % 200)));
        }
        SwitchMembers full = new SwitchMembers(16_777_215, Long.MAX_VALUE, members);

        byte[] wire =
                SerializationExtension.get(testKit.system()).serialize(full).get();

        assertThat(wire.length).isLessThan(ARTERY_FRAME - 4_096);
    }
}
