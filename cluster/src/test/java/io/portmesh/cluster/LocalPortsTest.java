package io.portmesh.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPortsTest {
    @Test
    void portsAreDistinctBindableOnLoopbackAndBelowTheEphemeralRange() throws IOException {
        int ceiling = LocalPorts.ephemeralLow(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        int[] ports = LocalPorts.freeTcpPorts(12);
        assertEquals(12, Arrays.stream(ports).distinct().count(), Arrays.toString(ports));
        for (int port : ports) {
            assertTrue(port >= LocalPorts.LOWEST && port < ceiling, port + " outside [10000, " + ceiling + ")");
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    @Test
    void aPortHeldByAListenerIsNotChosen() throws IOException {
        int[] first = LocalPorts.freeTcpPorts(1);
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), first[0]));
            for (int i = 0; i < 50; i++) {
                int[] again = LocalPorts.freeTcpPorts(20);
                assertTrue(Arrays.stream(again).noneMatch(p -> p == first[0]), "chose the held port " + first[0]);
            }
        }
    }

    @Test
    void theKernelRangeIsReadAndAnUnreadableOneFallsBackToLinuxDefault(@TempDir Path dir) throws IOException {
        Path range = dir.resolve("ip_local_port_range");
        Files.writeString(range, "40000\t60999\n");
        assertEquals(40_000, LocalPorts.ephemeralLow(range));
        Files.writeString(range, "garbage");
        assertEquals(LocalPorts.DEFAULT_EPHEMERAL_LOW, LocalPorts.ephemeralLow(range));
        assertEquals(LocalPorts.DEFAULT_EPHEMERAL_LOW, LocalPorts.ephemeralLow(dir.resolve("missing")));
    }
}
