package io.portmesh.loadtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The iptables rules NodePartitionTest relies on: they cut a loopback port off (one way, or a process both ways), and
 * nothing of them stays behind.
 */
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
    void anIsolatedProcessNeitherHearsNorReachesItsPeersWhileEveryoneElseDoes() throws Exception {
        int group = 64_990;
        try (ServerSocket own = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                ServerSocket peer = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(connectsInGroup(group, peer.getLocalPort()))
                    .as("before the cut")
                    .isTrue();
            try (LoopbackPartition cut =
                    LoopbackPartition.isolate(own.getLocalPort(), group, List.of(peer.getLocalPort()))) {
                assertThat(connects(own.getLocalPort()))
                        .as("a connect to the isolated port")
                        .isFalse();
                assertThat(connectsInGroup(group, peer.getLocalPort()))
                        .as("a connect from the isolated group to the peer")
                        .isFalse();
                assertThat(connects(peer.getLocalPort()))
                        .as("a connect from another process to the peer")
                        .isTrue();
            }
            assertThat(rules() + iptables("-S", "OUTPUT"))
                    .doesNotContain(
                            "portmesh-partition-" + ProcessHandle.current().pid());
            assertThat(connects(own.getLocalPort()))
                    .as("a connect to the isolated port once healed")
                    .isTrue();
            assertThat(connectsInGroup(group, peer.getLocalPort()))
                    .as("from the group once healed")
                    .isTrue();
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

    /** A connect from a process in {@code group}: bash's /dev/tcp, given 2 s. */
    private static boolean connectsInGroup(int group, int port) throws Exception {
        Process p = new ProcessBuilder(LoopbackPartition.inGroup(
                        group, List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port)))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("exit status 0 (connected) or 124 (timed out): %s", out)
                .isIn(0, 124);
        return p.exitValue() == 0;
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
