package io.portmesh.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFErrorType;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;

/** What the decoder answers to each kind of bad input, and what it does with the connection. */
class OfMalformedInputTest {
    private static byte[] header(int version, int type, int length, int xid) {
        byte[] b = new byte[length];
        b[0] = (byte) version;
        b[1] = (byte) type;
        b[2] = (byte) (length >> 8);
        b[3] = (byte) length;
        b[4] = (byte) (xid >> 24);
        b[5] = (byte) (xid >> 16);
        b[6] = (byte) (xid >> 8);
        b[7] = (byte) xid;
        return b;
    }

    private static OFBadRequestErrorMsg singleBadRequest(Codec codec) throws Exception {
        List<OFMessage> replies = codec.replies();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0)).isInstanceOf(OFBadRequestErrorMsg.class);
        return (OFBadRequestErrorMsg) replies.get(0);
    }

    @Test
    void unknownTypeIsBadTypeWithXidAndFirst64Bytes() throws Exception {
        byte[] frame = header(4, 99, 100, 0x01020304);
        for (int i = 8; i < frame.length; i++) {
            frame[i] = (byte) i;
        }
        Codec codec = new Codec(false);
        assertThat(codec.feed(frame)).isEmpty();

        OFBadRequestErrorMsg error = singleBadRequest(codec);
        assertThat(error.getErrType()).isEqualTo(OFErrorType.BAD_REQUEST);
        assertThat(error.getCode()).isEqualTo(OFBadRequestCode.BAD_TYPE);
        assertThat(error.getXid()).isEqualTo(0x01020304L);
        assertThat(error.getData().getData()).isEqualTo(Arrays.copyOf(frame, 64));
        assertThat(codec.stats.decodeErrors()).isEqualTo(1);
        assertThat(codec.channel.isOpen()).isTrue();
        codec.release();
    }

    @Test
    void truncatedBodyIsBadLen() throws Exception {
        byte[] featuresReply = Codec.encode(SampleMessages.all().get("FEATURES_REPLY"));
        byte[] cut = Arrays.copyOf(featuresReply, 16);
        cut[3] = 16;
        Codec codec = new Codec(false);
        assertThat(codec.feed(cut)).isEmpty();
        OFBadRequestErrorMsg error = singleBadRequest(codec);
        assertThat(error.getCode()).isEqualTo(OFBadRequestCode.BAD_LEN);
        assertThat(error.getData().getData()).isEqualTo(cut);
        codec.release();
    }

    @Test
    void unknownMultipartTypeIsBadMultipart() throws Exception {
        byte[] frame = header(4, 18, 16, 5);
        frame[8] = 0x00;
        frame[9] = (byte) 200;
        Codec codec = new Codec(false);
        codec.feed(frame);
        assertThat(singleBadRequest(codec).getCode()).isEqualTo(OFBadRequestCode.BAD_STAT);
        codec.release();
    }

    @Test
    void otherVersionAfterNegotiationIsBadVersion() throws Exception {
        byte[] of10Barrier = header(1, 18, 8, 77);
        Codec codec = new Codec(false);
        assertThat(codec.feed(of10Barrier)).isEmpty();
        OFBadRequestErrorMsg error = singleBadRequest(codec);
        assertThat(error.getCode()).isEqualTo(OFBadRequestCode.BAD_VERSION);
        assertThat(error.getXid()).isEqualTo(77);
        codec.release();
    }

    @Test
    void keepPolicyGoesOnDecodingAfterAnError() throws Exception {
        Codec codec = new Codec(false);
        byte[] bad = header(4, 99, 8, 1);
        byte[] good = Codec.encode(SampleMessages.all().get("BARRIER_REQUEST"));
        byte[] both = new byte[bad.length + good.length];
        System.arraycopy(bad, 0, both, 0, bad.length);
        System.arraycopy(good, 0, both, bad.length, good.length);

        assertThat(codec.feed(both)).containsExactly(SampleMessages.all().get("BARRIER_REQUEST"));
        assertThat(codec.stats.decodeErrors()).isEqualTo(1);
        assertThat(codec.channel.isOpen()).isTrue();
        codec.release();
    }

    @Test
    void closePolicyRepliesThenClosesAndDecodesNothingMore() throws Exception {
        Codec codec = new Codec(true);
        byte[] bad = header(4, 99, 8, 1);
        byte[] good = Codec.encode(SampleMessages.all().get("BARRIER_REQUEST"));
        byte[] both = new byte[bad.length + good.length];
        System.arraycopy(bad, 0, both, 0, bad.length);
        System.arraycopy(good, 0, both, bad.length, good.length);

        assertThat(codec.feed(both)).isEmpty();
        assertThat(singleBadRequest(codec).getCode()).isEqualTo(OFBadRequestCode.BAD_TYPE);
        codec.channel.runPendingTasks();
        assertThat(codec.channel.isOpen()).isFalse();
        assertThat(OfChannels.closeCause(codec.channel)).isInstanceOf(OfProtocolException.class);
        codec.release();
    }

    @Test
    void lengthBelowHeaderClosesWithoutReply() throws Exception {
        for (int length = 0; length < 8; length++) {
            Codec codec = new Codec(false);
            assertThat(codec.feed(header(4, 2, 8, 1).clone())).hasSize(1); // a valid ECHO_REQUEST first
            byte[] bad = header(4, 2, 8, 1);
            bad[3] = (byte) length;
            assertThat(codec.feed(bad)).isEmpty();
            assertThat(codec.channel.isOpen()).as("length %d", length).isFalse();
            assertThat(codec.stats.framingErrors()).isEqualTo(1);
            assertThat(codec.replies()).isEmpty();
            codec.release();
        }
    }
}
