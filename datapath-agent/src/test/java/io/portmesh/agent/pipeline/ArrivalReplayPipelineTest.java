package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.ethSrc;
import static io.portmesh.agent.table.Of.ethType;
import static io.portmesh.agent.table.Of.frame;
import static io.portmesh.agent.table.Of.gotoTable;
import static io.portmesh.agent.table.Of.inPort;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static io.portmesh.agent.table.Of.popVlan;
import static io.portmesh.agent.table.Of.pushVlan;
import static io.portmesh.agent.table.Of.setVlan;
import static io.portmesh.agent.table.Of.tunnelId;
import static io.portmesh.agent.table.Of.vlan;
import static io.portmesh.agent.table.Of.writeMetadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.pipeline.RecordingOutput.Sent;
import io.portmesh.agent.table.SwitchTables;
import io.portmesh.model.flow.Cookies;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Arrival replay (docs/architecture.md section 7.1): with a Portmesh ACTIVATE flow for VLAN 31 installed, the frames
 * the pipeline outputs to the trunk on VLAN 31 are ringed, and the arriving VM's RARP makes the trunk re-send those of
 * the last window, once. VNI 100: the arriving VM M on VLAN 31, a local VM1 on VLAN 10; frames come from the tunnel.
 */
class ArrivalReplayPipelineTest {
    static final String M = "02:00:00:00:00:06";
    static final String VM1 = "02:00:00:00:00:01";
    static final String PEER = "02:00:00:00:00:09";
    static final String BROADCAST = "ff:ff:ff:ff:ff:ff";
    static final int V = 31;
    static final long WINDOW = 50_000_000L;
    static final long MS = 1_000_000L;

    final AtomicLong now = new AtomicLong(1_000 * MS);
    final RecordingOutput out = new RecordingOutput();
    final SwitchTables tables = new SwitchTables(4, msg -> {});

    private Pipeline pipeline(long window) {
        Pipeline p = new Pipeline(tables, out, window, now::get);
        ok(add(0, 100, tunnelId(inPort(match(), 2), 100).build(), writeMetadata(100, 0xFF_FFFFL), gotoTable(1))
                .build());
        ok(add(
                        0,
                        100,
                        ethSrc(vlan(inPort(match(), 1), V), M).build(),
                        apply(popVlan()),
                        writeMetadata(100, 0xFF_FFFFL),
                        gotoTable(1))
                .setCookie(U64.of(Cookies.cookie(Cookies.CLASSIFY_TRUNK, V)))
                .build());
        ok(add(1, 100, ethDst(metadata(match(), 100), M).build(), apply(pushVlan(), setVlan(V), output(1)))
                .setCookie(U64.of(Cookies.cookie(Cookies.LOCAL, V)))
                .build());
        ok(add(1, 100, ethDst(metadata(match(), 100), VM1).build(), apply(pushVlan(), setVlan(10), output(1)))
                .setCookie(U64.of(Cookies.cookie(Cookies.LOCAL, 10)))
                .build());
        return p;
    }

    private void ok(OFFlowMod mod) {
        assertThat(tables.apply(mod)).as("%s", mod).isEmpty();
    }

    /** Rule 8's two flows for VLAN V, as {@code MoveFlows} makes them. */
    private void activate() {
        for (int type : new int[] {0x8035, 0x0806}) {
            ok(add(
                            0,
                            120,
                            ethType(ethSrc(vlan(inPort(match(), 1), V), M), type)
                                    .build(),
                            apply(F.actions().output(OFPort.CONTROLLER, 0xFFFF), popVlan()),
                            writeMetadata(100, 0xFF_FFFFL),
                            gotoTable(1))
                    .setCookie(U64.of(Cookies.cookie(Cookies.ACTIVATE, V)))
                    .build());
        }
    }

    /** What the controller sends when the arrival is confirmed: delete by the activation cookie. */
    private void deactivate() {
        ok(F.buildFlowDelete()
                .setTableId(TableId.of(0))
                .setCookie(U64.of(Cookies.cookie(Cookies.ACTIVATE, V)))
                .setCookieMask(U64.NO_MASK)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(F.matchWildcardAll())
                .build());
    }

    /** A frame for {@code dst} from a peer, through the tunnel; returns what the trunk sent for it. */
    private byte[] fromPeer(String dst, int payload) {
        byte[] f = frame(dst, PEER, -1, 0x0800, payload);
        int before = out.sent.size();
        pipeline.process(2, 100, 0x7F000001, f, 0, f.length);
        assertThat(out.sent).hasSize(before + 1);
        return out.sent.get(before).frame();
    }

    private List<Sent> rarp() {
        byte[] rarp = frame(BROADCAST, M, V, 0x8035, 46);
        int before = out.sent.size();
        pipeline.process(1, 0, 0, rarp, 0, rarp.length);
        return List.copyOf(out.sent.subList(before, out.sent.size()));
    }

    private Pipeline pipeline;

    @Test
    void theRarpReplaysTheFramesOfTheLastWindowOnceOldestFirst() {
        pipeline = pipeline(WINDOW);
        activate();
        assertThat(pipeline.arrivalReplay().isArriving(V)).isTrue();
        byte[] old1 = fromPeer(M, 46);
        byte[] old2 = fromPeer(M, 47);
        now.addAndGet(60 * MS); // older than the window at the announcement
        byte[] young1 = fromPeer(M, 48);
        now.addAndGet(20 * MS);
        fromPeer(VM1, 49); // another VLAN: not ringed
        byte[] young2 = fromPeer(M, 50);
        now.addAndGet(29 * MS); // young1 is 49 ms old
        assertThat(pipeline.arrivalReplay().ringed(V)).isEqualTo(4);
        assertThat(pipeline.arrivalReplay().ringed(10)).isZero();

        List<Sent> afterRarp = rarp();

        // the RARP itself matched no table-1 flow (no flood flow here): a table miss still replays
        assertThat(out.packetIns).hasSize(1);
        assertThat(afterRarp).extracting(Sent::port).containsOnly(1);
        assertThat(afterRarp).extracting(Sent::frame).containsExactly(young1, young2);
        assertThat(afterRarp.get(0).frame()).isNotEqualTo(old1).isNotEqualTo(old2);
        assertThat(pipeline.counters().replayedFrames()).isEqualTo(2);

        // once: the ring records nothing more, a second announcement replays nothing
        fromPeer(M, 51);
        assertThat(pipeline.arrivalReplay().ringed(V)).isZero();
        assertThat(rarp()).isEmpty();
        assertThat(pipeline.counters().replayedFrames()).isEqualTo(2);
    }

    @Test
    void withTheActivationFlowsDeletedNothingIsRinged() {
        pipeline = pipeline(WINDOW);
        activate();
        fromPeer(M, 46);
        assertThat(pipeline.arrivalReplay().ringed(V)).isEqualTo(1);
        deactivate();
        assertThat(pipeline.arrivalReplay().isArriving(V)).isFalse();
        assertThat(pipeline.arrivalReplay().armed()).isFalse();
        fromPeer(M, 47);
        assertThat(pipeline.arrivalReplay().ringed(V)).isZero();
        assertThat(rarp()).isEmpty(); // now only the classify flow: a table miss in table 1
        assertThat(pipeline.counters().replayedFrames()).isZero();

        // a new move to this host starts a fresh ring
        activate();
        byte[] f = fromPeer(M, 48);
        assertThat(rarp()).extracting(Sent::frame).containsExactly(f);
    }

    @Test
    void oneOfTheTwoActivationFlowsStillArmsAndReAddingOneKeepsTheRing() {
        pipeline = pipeline(WINDOW);
        activate();
        byte[] f = fromPeer(M, 46);
        activate(); // identical adds (a reconciliation push) replace the flows: the ring stays
        assertThat(pipeline.arrivalReplay().ringed(V)).isEqualTo(1);
        ok(F.buildFlowDeleteStrict()
                .setTableId(TableId.of(0))
                .setPriority(120)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(ethType(ethSrc(vlan(inPort(match(), 1), V), M), 0x0806)
                        .build())
                .build());
        assertThat(pipeline.arrivalReplay().isArriving(V)).isTrue();
        assertThat(rarp()).extracting(Sent::frame).containsExactly(f);
    }

    @Test
    void theRingKeepsTheLastFramesOnly() {
        pipeline = pipeline(WINDOW);
        activate();
        byte[] last = null;
        for (int i = 0; i < ArrivalReplay.RING_CAPACITY + 10; i++) {
            last = fromPeer(M, 46 + i % 7);
        }
        assertThat(pipeline.arrivalReplay().ringed(V)).isEqualTo(ArrivalReplay.RING_CAPACITY);
        List<Sent> replayed = rarp();
        assertThat(replayed).hasSize(ArrivalReplay.RING_CAPACITY);
        assertThat(replayed.get(replayed.size() - 1).frame()).isEqualTo(last);
    }

    @Test
    void aZeroWindowTurnsItOff() {
        pipeline = pipeline(0);
        activate();
        assertThat(pipeline.arrivalReplay().isArriving(V)).isFalse();
        assertThat(pipeline.arrivalReplay().armed()).isFalse();
        fromPeer(M, 46);
        assertThat(rarp()).isEmpty();
        assertThat(out.packetIns).hasSize(1); // the activation flow itself works as before
        assertThat(pipeline.counters().replayedFrames()).isZero();
    }

    @Test
    void otherCookiesDoNotArm() {
        pipeline = pipeline(WINDOW);
        // an activation-looking flow that is not Portmesh's, and Portmesh's other rules, arm nothing
        ok(add(
                        0,
                        120,
                        ethType(ethSrc(vlan(inPort(match(), 1), V), M), 0x8035).build(),
                        apply(output(OFPort.CONTROLLER)))
                .setCookie(U64.of(0x0000_0800_0000_001FL))
                .build());
        assertThat(pipeline.arrivalReplay().armed()).isFalse();
        fromPeer(M, 46);
        assertThat(rarp()).isEmpty();
    }
}
