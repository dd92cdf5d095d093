package io.portmesh.sharding.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.openflow.OpenFlowBytes;
import io.portmesh.sharding.EntityTestKits;
import io.portmesh.sharding.southbound.SessionCommand;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.U64;

/**
 * A switch's flows outgrow one cross-node message (Artery drops anything over its 256 KiB frame with an error in the
 * log, and the host was never read or pushed again): reads and pushes travel in parts, joined again on arrival.
 */
class InstalledPartsTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    /** Artery's default {@code maximum-frame-size}, which the project does not change. */
    private static final int ARTERY_FRAME = 256 * 1024;

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void thePartsOfARead_joinIntoTheWholeRead_andAWholeReadPassesAsItIs() {
        ActorRef<SessionCommand> session =
                testKit.<SessionCommand>createTestProbe().ref();
        InstalledParts parts = new InstalledParts();
        byte[] flows = flows(3_000);
        List<byte[]> flowParts = OpenFlowBytes.split(flows, SessionCommand.PART_BYTES);
        assertThat(flowParts).hasSizeGreaterThan(1);

        for (byte[] p : flowParts) {
            assertThat(parts.add("a", new HostProtocol.Installed(session, 7, p, new byte[0], null, true)))
                    .isEmpty();
        }
        byte[] ports = {1, 2, 3};
        HostProtocol.Installed whole = parts.add(
                        "a", new HostProtocol.Installed(session, 7, new byte[0], new byte[] {9}, ports, false))
                .orElseThrow();

        assertThat(whole.flowStats()).isEqualTo(flows);
        assertThat(whole.groupDesc()).containsExactly(9);
        assertThat(whole.portDesc()).isEqualTo(ports);
        assertThat(whole.more()).isFalse();
        assertThat(parts.gathering("a")).isFalse();

        HostProtocol.Installed single = new HostProtocol.Installed(session, 8, new byte[] {1}, new byte[0]);
        assertThat(parts.add("a", single)).containsSame(single);
    }

    @Test
    void aPartOfANewerReadDropsWhatWasGatheredOfTheOlderOne() {
        ActorRef<SessionCommand> old = testKit.<SessionCommand>createTestProbe().ref();
        ActorRef<SessionCommand> current =
                testKit.<SessionCommand>createTestProbe().ref();
        InstalledParts parts = new InstalledParts();
        parts.add("a", new HostProtocol.Installed(old, 1, new byte[] {1}, new byte[0], null, true));
        parts.add("b", new HostProtocol.Installed(current, 4, new byte[] {4}, new byte[0], null, true));

        parts.add("a", new HostProtocol.Installed(current, 2, new byte[] {2}, new byte[0], null, true));
        HostProtocol.Installed whole = parts.add(
                        "a", new HostProtocol.Installed(current, 2, new byte[] {3}, new byte[0], null, false))
                .orElseThrow();

        assertThat(whole.flowStats()).containsExactly(2, 3);
        assertThat(parts.gathering("b")).isTrue(); // another slot's read is its own
    }

    /** What the session and the entity send each other, with the biggest part, fits one Artery frame. */
    @Test
    void theBiggestPartOfAReadOrAPushFitsOneArteryFrame() {
        ActorRef<SessionCommand> session =
                testKit.<SessionCommand>createTestProbe().ref();
        ActorRef<HostProtocol.Command> host =
                testKit.<HostProtocol.Command>createTestProbe().ref();
        List<byte[]> parts = OpenFlowBytes.split(flows(20_000), SessionCommand.PART_BYTES);
        byte[] biggest = parts.stream()
                .max(java.util.Comparator.comparingInt(p -> p.length))
                .orElseThrow();
        assertThat(biggest.length).isGreaterThan(SessionCommand.PART_BYTES - 1_000);

        Serialization serialization = SerializationExtension.get(testKit.system());
        for (Object message : List.of(
                new HostProtocol.Installed(session, Long.MAX_VALUE, biggest, new byte[0], null, true),
                new HostProtocol.Installed(session, Long.MAX_VALUE, new byte[0], biggest, null, true),
                new SessionCommand.Push(Long.MAX_VALUE, Long.MAX_VALUE, biggest, Integer.MAX_VALUE, host, true))) {
            byte[] wire = serialization.serialize(message).get();
            assertThat(wire.length).as(message.getClass().getSimpleName()).isLessThan(ARTERY_FRAME - 4_096);
        }
    }

    private static byte[] flows(int n) {
        List<OFMessage> flows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            flows.add(F.buildFlowAdd()
                    .setXid(i)
                    .setPriority(i & 0xFFFF)
                    .setCookie(U64.of(0x504d_0000_0000_0000L | i))
                    .build());
        }
        return OpenFlowBytes.encode(flows);
    }
}
