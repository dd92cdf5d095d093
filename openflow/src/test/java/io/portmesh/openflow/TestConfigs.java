package io.portmesh.openflow;

import java.net.InetSocketAddress;
import java.time.Duration;

/** Settings for tests whose subject is not the keepalive: a slow raw peer must not be dropped for silence. */
final class TestConfigs {
    private TestConfigs() {}

    static OfConfig relaxed() {
        return OfConfig.defaults().withEcho(Duration.ofSeconds(30), 3);
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }
}
