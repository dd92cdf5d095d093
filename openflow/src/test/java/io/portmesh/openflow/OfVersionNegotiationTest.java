package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.types.U32;

/** OpenFlow 1.3 only: what happens to peers offering something else (raw sockets against a real server). */
class OfVersionNegotiationTest {
    private final Closer closer = new Closer();
    private final RecordingListener listener = new RecordingListener();
    private OfServer server;

    @BeforeEach
    void start() throws Exception {
        server = closer.add(OfServer.builder(OfRole.SWITCH, listener)
                .config(TestConfigs.relaxed())
                .bind(loopback(0)));
    }

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    private static OFHello hello(OFVersion version, long... bitmapVersions) {
        OFFactory f = OFFactories.getFactory(version);
        if (bitmapVersions.length == 0) {
            return f.buildHello().setXid(5).build();
        }
        long bits = 0;
        for (long v : bitmapVersions) {
            bits |= 1L << v;
        }
        return f.buildHello()
                .setXid(5)
                .setElements(List.of(f.buildHelloElemVersionbitmap()
                        .setBitmaps(List.of(U32.of(bits)))
                        .build()))
                .build();
    }

    private OFHelloFailedErrorMsg expectRefusal(OFMessage first) throws Exception {
        try (RawOfPeer peer = new RawOfPeer(server.port())) {
            peer.read(); // our HELLO
            peer.send(first);
            OFMessage reply = peer.read();
            assertThat(reply).isInstanceOf(OFHelloFailedErrorMsg.class);
            assertThat(peer.closedByPeer())
                    .as("connection closed after HELLO_FAILED")
                    .isTrue();
            assertThat(RecordingListener.poll(listener.handshakeFailures, 10)).isInstanceOf(OfHandshakeException.class);
            assertThat(listener.connected).isEmpty();
            return (OFHelloFailedErrorMsg) reply;
        }
    }

    @Test
    void anOpenFlow10HelloIsRefusedWithAReadableText() throws Exception {
        OFHelloFailedErrorMsg error = expectRefusal(hello(OFVersion.OF_10));
        assertThat(error.getCode()).isEqualTo(OFHelloFailedCode.INCOMPATIBLE);
        assertThat(error.getVersion())
                .as("answered in a version the peer reads")
                .isEqualTo(OFVersion.OF_10);
        assertThat(new String(error.getData().getData(), StandardCharsets.US_ASCII))
                .contains("OpenFlow 1.3 only")
                .contains("1.0");
    }

    @Test
    void aBitmapWithout13IsRefused() throws Exception {
        OFHelloFailedErrorMsg error = expectRefusal(hello(OFVersion.OF_15, 5, 6));
        assertThat(error.getCode()).isEqualTo(OFHelloFailedCode.INCOMPATIBLE);
    }

    @Test
    void anUnknownWireVersionIsRefused() throws Exception {
        byte[] v9 = {9, 0, 0, 8, 0, 0, 0, 1};
        try (RawOfPeer peer = new RawOfPeer(server.port())) {
            peer.read();
            peer.send(v9);
            assertThat(peer.read()).isInstanceOf(OFHelloFailedErrorMsg.class);
            assertThat(peer.closedByPeer()).isTrue();
        }
    }

    @Test
    void aFirstMessageOtherThanHelloIsRefused() throws Exception {
        OFHelloFailedErrorMsg error =
                expectRefusal(FakeSwitch.F.buildFeaturesRequest().setXid(3).build());
        assertThat(error.getCode()).isEqualTo(OFHelloFailedCode.EPERM);
        assertThat(error.getXid()).isEqualTo(3);
    }

    @Test
    void aNewerHelloWhoseBitmapIncludes13IsAccepted() throws Exception {
        try (RawOfPeer peer = new RawOfPeer(server.port())) {
            peer.read();
            peer.send(hello(OFVersion.OF_15, 4, 6));
            OfConnection c = listener.awaitConnected();
            assertThat(c.localRole()).isEqualTo(OfRole.SWITCH);
            // and the session speaks 1.3 from then on
            peer.send(FakeSwitch.F
                    .buildEchoRequest()
                    .setXid(11)
                    .setData(new byte[0])
                    .build());
            assertThat(peer.read().getXid()).isEqualTo(11);
        }
    }

    @Test
    void a13HelloWithoutBitmapIsAccepted() throws Exception {
        try (RawOfPeer peer = new RawOfPeer(server.port())) {
            peer.read();
            peer.send(hello(OFVersion.OF_13));
            assertThat(listener.awaitConnected().isActive()).isTrue();
        }
    }
}
