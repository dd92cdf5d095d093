package io.portmesh.loadtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The iptables rule NodePartitionTest relies on: it cuts a loopback port off, and nothing of it stays behind. */
class LoopbackPartitionTest {
    @BeforeAll
    static void needsIptables() {
        Required.machine(LoopbackPartition.unavailableReason());
    }

    @Test
    void aBlockedPortTimesConnectsOutAndAnswersAgainOnceHealed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            assertThat(connects(port)).isTrue();
            try (LoopbackPartition cut = LoopbackPartition.blockInbound(port)) {
                assertThat(rules()).contains("--dport " + port);
                assertThat(connects(port)).as("a connect to the blocked port").isFalse();
            }
            assertThat(rules()).doesNotContain("--dport " + port + " ");
            assertThat(connects(port)).as("a connect once healed").isTrue();
        }
    }

    @Test
    void aRuleLeftByAJvmThatIsGoneIsRemovedByTheNextBlock() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String comment = "portmesh-partition-" + gone.pid() + "-9";
        iptables(staleRule("-I", comment));
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                LoopbackPartition cut = LoopbackPartition.blockInbound(server.getLocalPort())) {
            assertThat(rules()).doesNotContain(comment);
        } finally {
            if (rules().contains(comment)) { // the test failed: leave nothing behind all the same
                iptables(staleRule("-D", comment));
            }
        }
    }

    /** A rule as LoopbackPartition writes it, on port 9 (discard: nothing listens there). */
    private static String[] staleRule(String op, String comment) {
        return new String[] {
            op, "INPUT", "-i", "lo", "-p", "tcp", "--dport", "9", "-m", "comment", "--comment", comment, "-j", "DROP"
        };
    }

    private static boolean connects(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static String rules() throws Exception {
        return iptables("-S", "INPUT");
    }

    private static String iptables(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "iptables";
        cmd[1] = "-w";
        cmd[2] = "10";
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
        return out;
    }
}
