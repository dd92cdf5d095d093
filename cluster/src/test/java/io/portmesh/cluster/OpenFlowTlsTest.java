package io.portmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.pki.Pki;
import io.portmesh.cluster.pki.PlainLeaf;
import io.portmesh.model.HostId;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import io.portmesh.openflow.tls.CertifiedAgent;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.openflow.tls.PemIdentity;
import io.portmesh.openflow.tls.TlsRefusal;
import io.portmesh.sharding.southbound.AgentAdmission;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Mutual TLS on OpenFlow with certificates made by the PKI tool's code, over real TCP between an OpenFlow server (the
 * controller's end, without the rest of a node) and real agents: who gets through, and what the server is told about
 * those who do not ({@link TlsRefusal}). The controller's decisions on top of it are in OpenFlowTlsIntegrationTest.
 */
class OpenFlowTlsTest {
    @TempDir
    Path pki;

    @TempDir
    Path otherPki;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Recorder controller = new Recorder();
    private OfTlsFiles node;
    private int vxlanPort;

    /** The server end's connections and handshake failures, in order. */
    static final class Recorder implements OfMessageListener {
        final BlockingQueue<OfConnection> connected = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

        @Override
        public void onConnected(OfConnection c) {
            connected.add(c);
        }

        @Override
        public void onMessage(OfConnection c, OFMessage m) {}

        @Override
        public void onDisconnected(OfConnection c, Throwable cause) {}

        @Override
        public void onHandshakeFailed(SocketAddress remote, Throwable cause) {
            failures.add(cause);
        }

        Optional<TlsRefusal> nextRefusal() throws InterruptedException {
            Throwable t = failures.poll(15, TimeUnit.SECONDS);
            assertThat(t).as("a handshake failure within 15 s").isNotNull();
            return TlsRefusal.of(t);
        }
    }

    @BeforeEach
    void pki() throws Exception {
        Pki.init(pki);
        node = Pki.issueNode(pki, "node-1", List.of("127.0.0.1"));
        Pki.init(otherPki);
        vxlanPort = TestCluster.freePorts(1)[0];
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private OfServer server(OfTlsFiles files) throws Exception {
        return server(files, controller);
    }

    private OfServer server(OfTlsFiles files, Recorder recorder) throws Exception {
        OfServer s = OfServer.builder(OfRole.CONTROLLER, recorder)
                .sslContext(files.serverContext())
                .bind(new InetSocketAddress("127.0.0.1", 0));
        closing.add(s);
        return s;
    }

    private DatapathAgent agent(String host, int port, Optional<OfTlsFiles> tls) throws Exception {
        DatapathAgent a = DatapathAgent.start(
                AgentSettings.local(host, "a", "127.0.0.1", vxlanPort++, List.of("127.0.0.1:" + port))
                        .withTls(tls));
        closing.add(a);
        return a;
    }

    @Test
    void anAgentWithACertificateOfTheCaConnectsAndTheServerReadsItsIdentity() throws Exception {
        OfServer server = server(node);
        DatapathAgent agent = agent("h-1", server.port(), Optional.of(Pki.issueAgent(pki, "h-1", "a")));

        OfConnection c = controller.connected.poll(15, TimeUnit.SECONDS);
        assertThat(c).as("connected within 15 s").isNotNull();
        assertThat(c.peerCertificate().flatMap(CertifiedAgent::of)).contains(new CertifiedAgent(HostId.of("h-1"), "a"));
        assertThat(c.description().getDpDesc()).startsWith("portmesh host=h-1 slot=a");
        assertThat(agent.connectedControllers()).isEqualTo(1);
        assertThat(agent.controllersRefusedNotNodes())
                .as("a node's certificate is a controller's")
                .isZero();
    }

    /**
     * Another host's agent key posing as a controller: a certificate of the same CA that names the address the agent
     * dials and carries an agent's identity instead of a node's. Only the node check tells it from a controller; the
     * agent refuses it in the handshake (no OpenFlow message passes), counts it and logs which certificate and why.
     */
    @Test
    void anAgentRefusesAControllerPresentingAnAgentCertificateOfTheCa() throws Exception {
        try (AgentTlsLines lines = new AgentTlsLines()) {
            OfServer server = server(PlainLeaf.addressedAgent(pki, "esx-9", "a"));
            DatapathAgent agent = agent("h-1", server.port(), Optional.of(Pki.issueAgent(pki, "h-1", "a")));

            SliceFixture.awaitTrue(
                    "the agent refuses the controller",
                    Duration.ofSeconds(15),
                    () -> agent.controllersRefusedNotNodes() > 0);
            assertThat(controller.nextRefusal())
                    .as("the agent aborts: the server hears its alert")
                    .contains(TlsRefusal.HANDSHAKE);
            assertThat(controller.connected).isEmpty();
            assertThat(agent.connectedControllers()).isZero();
            assertThat(lines.warnings())
                    .anySatisfy(l -> assertThat(l)
                            .contains("agent h-1/a", "127.0.0.1:" + server.port(), "not-a-controller-node")
                            .contains("CN=agent:esx-9:a", "portmesh:agent:esx-9:a", "not a controller node's"));
        }
    }

    /** The certificates the PKI tool writes for an agent, and a node's names without its URI, open no agent either. */
    @Test
    void anAgentRefusesAControllerWithAnyOtherCertificateOfTheCaThanANodes() throws Exception {
        Recorder plainController = new Recorder();
        OfServer asAgent = server(Pki.issueAgent(pki, "esx-9", "a"));
        OfServer withoutNodeUri = server(PlainLeaf.issue(pki, "ctl"), plainController);
        DatapathAgent toAgent = agent("h-1", asAgent.port(), Optional.of(Pki.issueAgent(pki, "h-1", "a")));
        DatapathAgent toPlain = agent("h-2", withoutNodeUri.port(), Optional.of(Pki.issueAgent(pki, "h-2", "a")));

        // the agent certificate names no address: the address check refuses it before the node check would
        assertThat(controller.nextRefusal()).contains(TlsRefusal.HANDSHAKE);
        SliceFixture.awaitTrue(
                "the agent refuses the certificate without a node URI",
                Duration.ofSeconds(15),
                () -> toPlain.controllersRefusedNotNodes() > 0);
        assertThat(plainController.nextRefusal()).contains(TlsRefusal.HANDSHAKE);
        assertThat(controller.connected).isEmpty();
        assertThat(plainController.connected).isEmpty();
        assertThat(toAgent.controllersRefusedNotNodes()).isZero();
        assertThat(toAgent.connectedControllers()).isZero();
        assertThat(toPlain.connectedControllers()).isZero();
    }

    /**
     * The raw client OpenFlowTlsIntegrationTest's impostors use gets through TLS and the handshake with its certificate
     * and its forged description, which the controller's admission then refuses.
     */
    @Test
    void anImpostorSwitchPresentsItsCertificateAndItsForgedClaim() throws Exception {
        OfServer server = server(node);
        ImpostorSwitch impostor =
                ImpostorSwitch.claiming("h-1", Pki.issueAgent(pki, "g-1", "a"), "127.0.0.1:" + server.port());
        closing.add(impostor);

        OfConnection c = controller.connected.poll(15, TimeUnit.SECONDS);
        assertThat(c).as("connected within 15 s").isNotNull();
        assertThat(c.peerCertificate().flatMap(CertifiedAgent::of)).contains(new CertifiedAgent(HostId.of("g-1"), "a"));
        assertThat(c.description().getDpDesc()).isEqualTo("portmesh host=h-1 slot=a");
        assertThat(new AgentAdmission(true)
                        .admit(c.description().getDpDesc(), c.peerCertificate())
                        .refusal())
                .isEqualTo(AgentAdmission.Refusal.IDENTITY_MISMATCH);
    }

    @Test
    void aClientWithoutCertificateIsRefusedAsNoCertificate() throws Exception {
        OfServer server = server(node);
        assertThat(TlsPeers.closedWithoutCertificate(server.port(), node.ca())).isTrue();
        assertThat(controller.nextRefusal()).contains(TlsRefusal.NO_CERTIFICATE);
        assertThat(controller.connected).isEmpty();
    }

    @Test
    void anAgentWithACertificateOfAnotherCaIsRefusedAsUnknownCa() throws Exception {
        OfTlsFiles foreign = Pki.issueAgent(otherPki, "h-1", "a");
        OfServer server = server(node);
        // it trusts the real CA (public), and presents a certificate of its own CA, which has the same name
        agent("h-1", server.port(), Optional.of(new OfTlsFiles(foreign.certificate(), foreign.key(), node.ca())));

        assertThat(controller.nextRefusal()).contains(TlsRefusal.UNKNOWN_CA);
        assertThat(controller.connected).isEmpty();
    }

    @Test
    void aPlainTcpAgentIsRefusedAsNotTls() throws Exception {
        OfServer server = server(node);
        agent("h-1", server.port(), Optional.empty());

        assertThat(controller.nextRefusal()).contains(TlsRefusal.NOT_TLS);
        assertThat(controller.connected).isEmpty();
    }

    @Test
    void anAgentRefusesAControllerWhoseCertificateDoesNotNameTheAddressItConnectsTo() throws Exception {
        OfServer server = server(Pki.issueNode(pki, "elsewhere", List.of("10.9.9.9")));
        DatapathAgent agent = agent("h-1", server.port(), Optional.of(Pki.issueAgent(pki, "h-1", "a")));

        // the agent aborts the handshake: the server hears its alert
        assertThat(controller.nextRefusal()).contains(TlsRefusal.HANDSHAKE);
        assertThat(controller.connected).isEmpty();
        assertThat(agent.connectedControllers()).isZero();
    }

    @Test
    void anAgentRefusesAControllerOfAnotherCa() throws Exception {
        OfTlsFiles foreign = Pki.issueNode(otherPki, "node-1", List.of("127.0.0.1"));
        // the impostor controller would accept the agent (it trusts the real CA) but cannot show a certificate of it
        OfServer server = server(new OfTlsFiles(foreign.certificate(), foreign.key(), node.ca()));
        DatapathAgent agent = agent("h-1", server.port(), Optional.of(Pki.issueAgent(pki, "h-1", "a")));

        assertThat(controller.nextRefusal()).contains(TlsRefusal.HANDSHAKE);
        assertThat(controller.connected).isEmpty();
        assertThat(agent.connectedControllers()).isZero();
    }

    @Test
    void bothEndsUseTheJdksTls13OnlyAndATls12PeerIsRefused() throws Exception {
        OfTlsFiles agentFiles = Pki.issueAgent(pki, "h-1", "a");
        for (SslContext ctx : List.of(node.serverContext(), agentFiles.clientContext())) {
            assertThat(ctx).as("the JDK's provider, never OpenSSL").isInstanceOf(JdkSslContext.class);
            assertThat(ctx.newEngine(ByteBufAllocator.DEFAULT).getEnabledProtocols())
                    .containsExactly("TLSv1.3");
        }
        OfServer server = server(node);
        // a client with a valid agent certificate that speaks TLS 1.2 only (where renegotiation could swap the
        // certificate the server admitted the connection by) gets no handshake
        SSLContext tls12 = PemIdentity.context(
                PemIdentity.load(agentFiles.certificate(), agentFiles.key()).keyManagers(),
                PemIdentity.trustManagers(agentFiles.ca()));
        try (SSLSocket s = (SSLSocket) tls12.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThatThrownBy(s::startHandshake).isInstanceOf(SSLException.class);
        }
        assertThat(controller.nextRefusal()).isPresent();
        assertThat(controller.connected).isEmpty();
    }
}
