package io.portmesh.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/** What the OpenFlow TLS tests share: a controller's TLS settings, and a TLS client that presents no certificate. */
final class TlsPeers {
    private TlsPeers() {}

    /** {@code portmesh.controller.openflow.tls} on, with {@code node}'s files. */
    static Config controllerTls(OfTlsFiles node) {
        return ConfigFactory.parseString("portmesh.controller.openflow.tls { enabled = on, certificate = "
                + quote(node.certificate()) + ", key = " + quote(node.key()) + ", ca = " + quote(node.ca())
                + " }");
    }

    private static String quote(Path p) {
        return ConfigUtil.quoteString(p.toAbsolutePath().toString());
    }

    /**
     * Connects to {@code port} on loopback over TLS trusting {@code ca} but presenting no certificate, sends an
     * OpenFlow HELLO, and returns once the server closed the connection (true) or after 10 s without that (false).
     */
    static boolean closedWithoutCertificate(int port, Path ca) throws IOException {
        SSLContext jdk = ((JdkSslContext) SslContextBuilder.forClient()
                        .sslProvider(SslProvider.JDK)
                        .trustManager(ca.toFile())
                        .build())
                .context();
        try (SSLSocket s = (SSLSocket) jdk.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            // TLS 1.3: the client's side of the handshake ends before the server has checked the client
            s.startHandshake();
            s.getOutputStream().write(new byte[] {4, 0, 0, 8, 0, 0, 0, 1}); // OFPT_HELLO, OpenFlow 1.3
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            while (in.read() != -1) {
                // the server's HELLO, if it got that far: read on until it closes
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SSLException | java.net.SocketException e) {
            return true; // the server's alert, or its reset: refused
        }
    }
}
