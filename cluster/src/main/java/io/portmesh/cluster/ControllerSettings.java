package io.portmesh.cluster;

import com.typesafe.config.Config;
import io.portmesh.openflow.OfConfig;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code portmesh.controller} section of the configuration (see cluster/src/main/resources/reference.conf).
 *
 * @param openflowTls the OpenFlow server's TLS files; empty: plain TCP ({@code openflow.tls.enabled = off})
 */
public record ControllerSettings(
        String httpHost,
        int httpPort,
        String openflowHost,
        int openflowPort,
        Duration askTimeout,
        Duration realizeTimeout,
        Duration announceInterval,
        int warmPortIds,
        OfConfig openflow,
        Optional<OfTlsFiles> openflowTls) {

    public static ControllerSettings fromConfig(Config root) {
        Config c = root.getConfig("portmesh.controller");
        OfConfig of = OfConfig.defaults()
                .withEcho(c.getDuration("openflow.echo-interval"), c.getInt("openflow.echo-miss-limit"))
                .withRequestTimeout(c.getDuration("openflow.request-timeout"));
        return new ControllerSettings(
                c.getString("http.host"),
                c.getInt("http.port"),
                c.getString("openflow.host"),
                c.getInt("openflow.port"),
                c.getDuration("ask-timeout"),
                c.getDuration("realize-timeout"),
                c.getDuration("southbound.announce-interval"),
                c.getInt("warm-port-ids"),
                of,
                OfTlsFiles.fromConfig(root, "portmesh.controller.openflow.tls"));
    }
}
