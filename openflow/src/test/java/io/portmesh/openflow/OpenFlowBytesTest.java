package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFGroupType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFGroup;

class OpenFlowBytesTest {
    private final OFFactory f = OFFactories.getFactory(OFVersion.OF_13);

    @Test
    void assigningXidsRewritesEveryHeaderAndNothingElse() {
        List<OFMessage> sent = List.of(
                f.buildGroupDelete()
                        .setXid(7)
                        .setGroup(OFGroup.of(3))
                        .setGroupType(OFGroupType.ALL)
                        .build(),
                f.buildFlowDelete()
                        .setXid(7)
                        .setCookie(org.projectfloodlight.openflow.types.U64.of(0x504dL))
                        .build(),
                f.buildBarrierRequest().setXid(7).build());
        byte[] bytes = OpenFlowBytes.encode(sent);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        AtomicLong next = new AtomicLong(100);

        assertThat(OpenFlowBytes.assignXids(buf, next::getAndIncrement)).isNull();

        List<OFMessage> read = OpenFlowBytes.decode(bytes, OFMessage.class);
        assertThat(read).extracting(OFMessage::getXid).containsExactly(100L, 101L, 102L);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(read.get(i).createBuilder().setXid(7).build()).isEqualTo(sent.get(i));
        }
    }

    @Test
    void brokenFramingIsReportedNotWritten() {
        byte[] bytes =
                OpenFlowBytes.encode(List.of(f.buildBarrierRequest().setXid(7).build()));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length + 4); // a second header cut short
        assertThat(OpenFlowBytes.assignXids(Unpooled.wrappedBuffer(truncated), () -> 1))
                .contains("truncated");
        bytes[3] = 64; // length 64 in an 8-byte buffer
        assertThat(OpenFlowBytes.assignXids(Unpooled.wrappedBuffer(bytes), () -> 1))
                .contains("does not fit");
    }

    /** What crosses nodes between a Host entity and a session is cut so that Artery's frame limit is never reached. */
    @Test
    void splittingCutsAtMessageBoundariesIntoPartsWithinTheLimitThatConcatenateToTheWhole() {
        List<OFMessage> flows = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            flows.add(f.buildFlowAdd()
                    .setXid(i)
                    .setPriority(i)
                    .setCookie(org.projectfloodlight.openflow.types.U64.of(0x504dL))
                    .build());
        }
        byte[] wire = OpenFlowBytes.encode(flows);
        int limit = 10_000;

        List<byte[]> parts = OpenFlowBytes.split(wire, limit);

        assertThat(parts).hasSizeGreaterThan(wire.length / limit);
        assertThat(parts).allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(limit));
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        int messages = 0;
        for (byte[] p : parts) {
            joined.writeBytes(p);
            messages += OpenFlowBytes.decode(p, OFMessage.class).size(); // each part is whole messages
        }
        assertThat(joined.toByteArray()).isEqualTo(wire);
        assertThat(messages).isEqualTo(2_000);
        assertThat(OpenFlowBytes.split(wire, wire.length)).containsExactly(wire);
    }

    @Test
    void bytesWhoseFramingDoesNotHoldAreOnePartForTheReaderToRefuse() {
        byte[] bytes = OpenFlowBytes.encode(List.of(
                f.buildBarrierRequest().setXid(7).build(),
                f.buildBarrierRequest().setXid(8).build()));
        bytes[3] = 64; // the first message claims 64 bytes of 16
        assertThat(OpenFlowBytes.split(bytes, 8)).containsExactly(bytes);
    }
}
