package io.portmesh.cluster.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Real sockets on loopback: a listening port, the same port once closed, and the exception texts that count. */
class PortProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void aListeningPortIsListeningAndTheSamePortClosedIsRefused() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            assertEquals(PortProbe.Outcome.LISTENING, PortProbe.probe("127.0.0.1", port, TIMEOUT));
        }
        assertEquals(PortProbe.Outcome.REFUSED, PortProbe.probe("127.0.0.1", port, TIMEOUT));
    }

    @Test
    void anUnresolvableHostProvesNothing() {
        assertEquals(PortProbe.Outcome.UNKNOWN, PortProbe.probe("no-such-host.invalid", 2551, TIMEOUT));
    }

    @Test
    void onlyARefusalCountsAmongConnectExceptions() {
        assertTrue(PortProbe.isRefusal(new ConnectException("Connection refused")));
        assertFalse(PortProbe.isRefusal(new ConnectException("No route to host")));
        assertFalse(PortProbe.isRefusal(new ConnectException("Network is unreachable")));
        assertFalse(PortProbe.isRefusal(new ConnectException()));
    }
}
