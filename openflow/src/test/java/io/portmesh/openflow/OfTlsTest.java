package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.portmesh.openflow.tls.Keytool;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handshake and a barrier over TLS, with a self-signed certificate made by the JDK's keytool. */
class OfTlsTest {
    private static final char[] PASSWORD = Keytool.PASSWORD;
    private final Closer closer = new Closer();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    private KeyStore selfSigned() throws Exception {
        return Keytool.selfSigned(
                dir, "of", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1");
    }

    @Test
    void handshakeAndBarrierOverTls() throws Exception {
        KeyStore ks = selfSigned();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SslContext serverTls = SslContextBuilder.forServer(kmf).build();
        SslContext clientTls = SslContextBuilder.forClient().trustManager(tmf).build();

        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.CONTROLLER, controller)
                .config(TestConfigs.relaxed())
                .sslContext(serverTls)
                .bind(loopback(0)));
        RecordingListener agent = new RecordingListener(new FakeSwitch(11, "tls-agent", 2));
        closer.add(OfClient.builder(OfRole.SWITCH, agent)
                .config(TestConfigs.relaxed())
                .sslContext(clientTls)
                .connect(loopback(server.port())));

        OfConnection toSwitch = controller.awaitConnected();
        assertThat(toSwitch.description().getDpDesc()).isEqualTo("tls-agent");
        assertThat(toSwitch.barrier().get(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void aPlainTcpPeerCannotTalkToATlsServer() throws Exception {
        KeyStore ks = selfSigned();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.CONTROLLER, controller)
                .config(TestConfigs.relaxed())
                .sslContext(SslContextBuilder.forServer(kmf).build())
                .bind(loopback(0)));
        try (RawOfPeer plain = new RawOfPeer(server.port())) {
            plain.send(FakeSwitch.F.buildHello().build());
            assertThat(plain.closedByPeer()).isTrue();
        }
        assertThat(RecordingListener.poll(controller.handshakeFailures, 10)).isNotNull();
        assertThat(controller.connected).isEmpty();
    }
}
