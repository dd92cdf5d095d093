package io.portmesh.sharding.southbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Every refusal is counted, but an impostor retrying in a loop writes one warning a minute per address and reason,
 * and the next line says how many were not logged; other addresses and reasons have lines of their own, and the
 * memory of them is bounded.
 */
class OpenFlowRefusalsTest {
    private final List<String> counted = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final OpenFlowRefusals refusals =
            new OpenFlowRefusals(counted::add, lines::add, now::get, OpenFlowRefusals.WINDOW);

    private static InetSocketAddress peer(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    @Test
    void anImpostorRetryingInALoopIsCountedEveryTimeAndLoggedOnceAWindowWithWhatWasSuppressed() {
        for (int i = 0; i < 500; i++) {
            refusals.refused(peer("10.0.0.66", 40_000 + i), "identity-mismatch", "claims host-1");
            now.addAndGet(Duration.ofMillis(100).toNanos()); // 500 tries in 50 s: inside one window
        }
        assertThat(counted).hasSize(500).containsOnly("identity-mismatch");
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .startsWith("refusing OpenFlow connection from /10.0.0.66:40000 (identity-mismatch): claims host-1")
                .doesNotContain("more refused");

        now.addAndGet(OpenFlowRefusals.WINDOW.toNanos());
        refusals.refused(peer("10.0.0.66", 41_000), "identity-mismatch", "claims host-1");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1))
                .contains("(identity-mismatch)")
                .endsWith("[499 more refused from 10.0.0.66 for identity-mismatch since the last line, not logged]");
        refusals.refused(peer("10.0.0.66", 41_001), "identity-mismatch", "claims host-1");
        assertThat(lines).as("a new window began with that line").hasSize(2);
    }

    @Test
    void anotherAddressOrReasonHasItsOwnLine() {
        refusals.refused(peer("10.0.0.66", 1), "unknown-ca", "x");
        refusals.refused(peer("10.0.0.66", 2), "not-tls", "x");
        refusals.refused(peer("10.0.0.67", 3), "unknown-ca", "x");
        refusals.refused(peer("10.0.0.67", 4), "unknown-ca", "x");
        assertThat(lines).hasSize(3);
        assertThat(counted).containsExactly("unknown-ca", "not-tls", "unknown-ca", "unknown-ca");
    }

    @Test
    void theMemoryOfPeersIsBoundedAndForgetsTheLeastRecentFirst() {
        refusals.refused(peer("10.1.0.0", 1), "unknown-ca", "x");
        for (int i = 1; i <= OpenFlowRefusals.MAX_PEERS; i++) {
            refusals.refused(peer("10.2." + (i / 256) + "." + (i % 256), 1), "unknown-ca", "x");
        }
        assertThat(lines).hasSize(OpenFlowRefusals.MAX_PEERS + 1);
        refusals.refused(peer("10.1.0.0", 2), "unknown-ca", "x");
        assertThat(lines)
                .as("the first peer was forgotten: logged again within the window")
                .hasSize(OpenFlowRefusals.MAX_PEERS + 2);
        refusals.refused(peer("10.2.0.5", 2), "unknown-ca", "x");
        assertThat(lines).as("a recent one is remembered").hasSize(OpenFlowRefusals.MAX_PEERS + 2);
    }
}
