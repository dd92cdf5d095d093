package io.portmesh.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPortsTest {
    @Test
    void portsAreDistinctBindableOnLoopbackAndBelowTheEphemeralRange() throws IOException {
        int[] range = LocalPorts.ephemeralRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        int[] ports = LocalPorts.freeTcpPorts(12);
        assertEquals(12, Arrays.stream(ports).distinct().count(), Arrays.toString(ports));
        for (int port : ports) {
            assertTrue(
                    port >= LocalPorts.LOWEST && (port < range[0] || port > range[1]),
                    port + " in the ephemeral range " + Arrays.toString(range) + " or below 10000");
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
        assertArrayEquals(new int[] {40_000, 60_999}, LocalPorts.ephemeralRange(range));
        Files.writeString(range, "garbage");
        assertArrayEquals(new int[] {32_768, 60_999}, LocalPorts.ephemeralRange(range));
        assertArrayEquals(new int[] {32_768, 60_999}, LocalPorts.ephemeralRange(dir.resolve("missing")));
    }

    @Test
    void aRangeTunedWideLeavesThePortsAboveItAndOneSpanningEverythingLeavesNone() {
        assertEquals(List.of(65_535), LocalPorts.safePorts(1024, 65_534));
        assertTrue(LocalPorts.safePorts(1024, 65_535).isEmpty());
        assertEquals(
                60_999 - 32_768 + 1,
                65_536 - 10_000 - LocalPorts.safePorts(32_768, 60_999).size());
    }
}
