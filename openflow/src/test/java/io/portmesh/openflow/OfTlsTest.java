package io.portmesh.openflow;

import static io.portmesh.openflow.TestConfigs.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.portmesh.openflow.tls.Keytool;
import io.portmesh.openflow.tls.TlsRefusal;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake and a barrier over TLS, with a self-signed certificate made by the JDK's keytool. The certificate is
 * made once for the class: keytool is a JVM of its own (a second or more of CPU, 5-12 s on a loaded machine), and
 * every test here needs the same one; each test still builds its own contexts and servers.
 */
class OfTlsTest {
    private static final char[] PASSWORD = Keytool.PASSWORD;
    private static KeyStore selfSigned;
    private final Closer closer = new Closer();

    @BeforeAll
    static void selfSigned(@TempDir Path dir) throws Exception {
        selfSigned = Keytool.selfSigned(
                dir, "of", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1");
    }

    @AfterEach
    void tearDown() throws Exception {
        closer.close();
    }

    /** A server context presenting the self-signed certificate. */
    private static SslContext serverTls() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(selfSigned, PASSWORD);
        return SslContextBuilder.forServer(kmf).build();
    }

    @Test
    void handshakeAndBarrierOverTls() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(selfSigned);
        SslContext serverTls = serverTls();
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
        RecordingListener controller = new RecordingListener();
        OfServer server = closer.add(OfServer.builder(OfRole.CONTROLLER, controller)
                .config(TestConfigs.relaxed())
                .sslContext(serverTls())
                .bind(loopback(0)));
        try (RawOfPeer plain = new RawOfPeer(server.port())) {
            plain.send(FakeSwitch.F.buildHello().build());
            assertThat(plain.closedByPeer()).isTrue();
        }
        assertThat(RecordingListener.poll(controller.handshakeFailures, 10)).isNotNull();
        assertThat(controller.connected).isEmpty();
    }
    /**
     * A client that opens a TCP connection to the TLS port and says nothing is closed at the handshake timeout with
     * a cause the controller names {@code tls-handshake-timeout}; a peer that stalls a plain OpenFlow handshake is
     * closed as before, and that is no TLS refusal.
     */
    @Test
    void aStalledTlsHandshakeIsClosedAsATlsHandshakeTimeout() throws Exception {
        OfConfig quick = TestConfigs.relaxed().withHandshakeTimeout(Duration.ofMillis(300));
        RecordingListener tlsController = new RecordingListener();
        OfServer tlsServer = closer.add(OfServer.builder(OfRole.CONTROLLER, tlsController)
                .config(quick)
                .sslContext(serverTls())
                .bind(loopback(0)));
        RecordingListener plainController = new RecordingListener();
        OfServer plainServer = closer.add(OfServer.builder(OfRole.CONTROLLER, plainController)
                .config(quick)
                .bind(loopback(0)));
        try (RawOfPeer silentOnTls = new RawOfPeer(tlsServer.port());
                RawOfPeer silentOnPlain = new RawOfPeer(plainServer.port())) {
            assertThat(silentOnTls.closedByPeer()).isTrue();
            assertThat(silentOnPlain.closedByPeer()).isTrue();
        }
        Throwable tls = RecordingListener.poll(tlsController.handshakeFailures, 10);
        assertThat(tls).isInstanceOf(OfTlsHandshakeTimeoutException.class);
        assertThat(TlsRefusal.of(tls)).contains(TlsRefusal.HANDSHAKE_TIMEOUT);
        assertThat(TlsRefusal.HANDSHAKE_TIMEOUT.label()).isEqualTo("tls-handshake-timeout");
        Throwable plain = RecordingListener.poll(plainController.handshakeFailures, 10);
        assertThat(plain).isInstanceOf(OfHandshakeException.class);
        assertThat(TlsRefusal.of(plain)).isEmpty();
        assertThat(tlsController.connected).isEmpty();
    }
}
