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
}
