package io.portmesh.agent.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portmesh.agent.io.KernelPeerResponder.Seen;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.sim.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our VxlanPort against the Linux kernel's {@code vxlan} device. The kernel side lives in a network namespace of its
 * own, joined to the root namespace by a veth pair; our port binds the root end's address. The inner network
 * 192.168.231.0/24 exists only inside the namespace (on vx0) and in the responder, so nothing leaks to the host.
 * Every name carries a random suffix, so parallel or leftover runs do not collide.
 */
class KernelVxlanInteropTest {
    private static final int VNI = 42;
    private static final Mac KERNEL_MAC = Mac.parse("02:00:c0:a8:e7:02");
    private static final Mac OUR_MAC = Mac.parse("02:00:c0:a8:e7:01");
    private static final Ipv4 KERNEL_INNER_IP = Ipv4.parse("192.168.231.2");
    private static final Ipv4 OUR_INNER_IP = Ipv4.parse("192.168.231.1");

    private static final String SUFFIX =
            String.format("%05x", ThreadLocalRandom.current().nextInt(1 << 20));
    private static final String NS = "pmvx" + SUFFIX;
    private static final String VETH_ROOT = "pmr" + SUFFIX;
    private static final String VETH_NS = "pmn" + SUFFIX;

    private static boolean namespaceCreated;
    private static boolean vethCreated;
    private static Ipv4 rootVtep;
    private static Ipv4 nsVtep;
    private static VxlanPort port;
    private static KernelPeerResponder responder;

    @BeforeAll
    static void setUpNamespaces() throws Exception {
        assumeTrue(
                Shell.run("id", "-u").output().trim().equals("0"),
                "kernel VXLAN interop needs root to create network namespaces; skipped");
        Shell.Result add = Shell.run("ip", "netns", "add", NS);
        assumeTrue(
                add.ok(),
                "cannot create a network namespace (ip netns add): "
                        + add.output().trim());
        namespaceCreated = true;

        int subnet = freeSubnet();
        rootVtep = Ipv4.parse("10.231." + subnet + ".1");
        nsVtep = Ipv4.parse("10.231." + subnet + ".2");
        Shell.must("ip", "link", "add", VETH_ROOT, "type", "veth", "peer", "name", VETH_NS);
        vethCreated = true;
        Shell.must("ip", "link", "set", VETH_NS, "netns", NS);
        Shell.must("ip", "addr", "add", rootVtep + "/24", "dev", VETH_ROOT);
        Shell.must("ip", "link", "set", VETH_ROOT, "up");
        Shell.must("ip", "-n", NS, "link", "set", "lo", "up");
        Shell.must("ip", "-n", NS, "addr", "add", nsVtep + "/24", "dev", VETH_NS);
        Shell.must("ip", "-n", NS, "link", "set", VETH_NS, "up");

        responder = new KernelPeerResponder(OUR_MAC, OUR_INNER_IP.value());
        // Our port and the kernel device must use one UDP port (vxlan's dstport is also its listening port): take a
        // free one on the veth address, which nothing else on the machine uses.
        int udpPort = freeUdpPort(inet(rootVtep));
        port = VxlanPort.open(
                2, "vxlan", Mac.parse("02:00:00:00:00:02"), new InetSocketAddress(inet(rootVtep), udpPort), udpPort);
        responder.attach(port);

        String vxlan = String.format(
                "ip -n %s link add vx0 type vxlan id %d dstport %d local %s remote %s nolearning dev %s",
                NS, VNI, udpPort, nsVtep, rootVtep, VETH_NS);
        Shell.must(vxlan.split(" "));
        // Keep IPv6 neighbour discovery chatter out of the recorded frames where the kernel allows it.
        Shell.run("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.vx0.disable_ipv6=1");
        Shell.must("ip", "-n", NS, "link", "set", "vx0", "address", KERNEL_MAC.toString());
        Shell.must("ip", "-n", NS, "addr", "add", KERNEL_INNER_IP + "/24", "dev", "vx0");
        Shell.must("ip", "-n", NS, "link", "set", "vx0", "up");
        port.start(responder);
    }

    /** A 10.231.N.0/24 that no interface of this machine uses yet. */
    private static int freeSubnet() {
        String used = Shell.must("ip", "-4", "-o", "addr", "show");
        for (int attempt = 0; attempt < 64; attempt++) {
            int n = ThreadLocalRandom.current().nextInt(10, 250);
            if (!used.contains("10.231." + n + ".")) {
                return n;
            }
        }
        throw new IllegalStateException("no free 10.231.N.0/24 subnet in 64 tries; in use: " + used);
    }

    private static int freeUdpPort(InetAddress address) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(address, 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    private static InetAddress inet(Ipv4 ip) {
        return TunnelAddresses.toInetAddress(ip.value());
    }

    @AfterAll
    static void tearDown() {
        if (port != null) {
            port.close();
        }
        if (namespaceCreated) {
            Shell.run("ip", "netns", "del", NS);
        }
        if (vethCreated) {
            // Deleting the namespace takes the veth pair with it; this only matters if the move into it failed.
            Shell.run("ip", "link", "del", VETH_ROOT);
        }
    }

    @BeforeEach
    void forgetNeighbours() {
        Shell.must("ip", "-n", NS, "neigh", "flush", "dev", "vx0");
        responder.clear();
    }

    @Test
    void kernelResolvesUsByArpThenSendsUdpThroughTheTunnel() {
        Shell.must(
                "ip", "netns", "exec", NS, "bash", "-c", "echo -n portmesh-hello > /dev/udp/" + OUR_INNER_IP + "/7777");

        Await.until(() -> udpPayloadSeen("portmesh-hello"), () -> "frames seen: " + describe(responder.seen()));

        List<Seen> seen = responder.seen();
        Seen arp = seen.stream()
                .filter(s -> InetFrames.etherType(s.frame()) == InetFrames.ETH_ARP)
                .findFirst()
                .orElseThrow();
        assertThat(arp.vni()).isEqualTo(VNI);
        assertThat(arp.vtep()).isEqualTo(nsVtep.value());
        assertThat(InetFrames.arpOp(arp.frame())).isEqualTo(1);
        assertThat(InetFrames.arpSha(arp.frame())).isEqualTo(KERNEL_MAC);
        assertThat(InetFrames.arpTpa(arp.frame())).isEqualTo(OUR_INNER_IP.value());
        // The kernel addressed the datagram to the MAC from our encapsulated ARP reply: it decoded our VXLAN.
        Seen udp = seen.stream().filter(s -> isUdp(s.frame())).findFirst().orElseThrow();
        assertThat(InetFrames.dst(udp.frame())).isEqualTo(OUR_MAC);
        assertThat(InetFrames.ipHeaderChecksumOk(udp.frame())).isTrue();
        assertThat(port.stats().txPackets()).isGreaterThanOrEqualTo(1);
        assertThat(port.stats().rxErrors()).isZero();
    }

    @Test
    void weResolveAndPingTheKernelThroughTheTunnel() {
        responder.send(
                InetFrames.arp(Mac.BROADCAST, 1, OUR_MAC, OUR_INNER_IP.value(), new Mac(0), KERNEL_INNER_IP.value()),
                VNI,
                nsVtep.value());
        Await.until(
                () -> responder.seen().stream().anyMatch(s -> isArpReplyFromKernel(s.frame())),
                () -> "no ARP reply; frames seen: " + describe(responder.seen()));

        byte[] payload = "portmesh-echo-payload".getBytes(StandardCharsets.US_ASCII);
        for (int seq = 1; seq <= 3; seq++) {
            responder.send(
                    InetFrames.ipv4(
                            KERNEL_MAC,
                            OUR_MAC,
                            OUR_INNER_IP.value(),
                            KERNEL_INNER_IP.value(),
                            InetFrames.PROTO_ICMP,
                            InetFrames.icmpEcho(InetFrames.ICMP_ECHO_REQUEST, 0x4242, seq, payload)),
                    VNI,
                    nsVtep.value());
        }
        Await.until(() -> echoRepliesSeen(payload) == 3, () -> "frames seen: " + describe(responder.seen()));

        Seen reply = responder.seen().stream()
                .filter(s -> isEchoReply(s.frame()))
                .findFirst()
                .orElseThrow();
        assertThat(reply.vni()).isEqualTo(VNI);
        assertThat(reply.vtep()).isEqualTo(nsVtep.value());
        assertThat(InetFrames.dst(reply.frame())).isEqualTo(OUR_MAC);
        assertThat(InetFrames.ipSrc(reply.frame())).isEqualTo(KERNEL_INNER_IP.value());
        assertThat(port.stats().txPackets()).isGreaterThanOrEqualTo(4);
        assertThat(port.stats().rxPackets()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void kernelPingIsAnsweredByUs() {
        assumeTrue(Shell.run("ping", "-V").ok(), "iputils-ping is not installed (apt-get install -y iputils-ping)");

        Shell.Result ping = Shell.run(
                "ip", "netns", "exec", NS, "ping", "-c", "3", "-i", "0.2", "-W", "2", OUR_INNER_IP.toString());

        assertThat(ping.exit()).as(ping.output()).isZero();
        assertThat(ping.output()).contains("3 received");
        assertThat(responder.echoRequestsAnswered()).isEqualTo(3);
    }

    private static boolean isUdp(byte[] f) {
        return f.length >= 42
                && InetFrames.etherType(f) == InetFrames.ETH_IPV4
                && InetFrames.ipProtocol(f) == InetFrames.PROTO_UDP;
    }

    private static boolean udpPayloadSeen(String text) {
        byte[] wanted = text.getBytes(StandardCharsets.US_ASCII);
        return responder.seen().stream()
                .map(Seen::frame)
                .filter(KernelVxlanInteropTest::isUdp)
                .anyMatch(f -> {
                    int l4 = InetFrames.l4Offset(f);
                    int udpLen = InetFrames.u16(f, l4 + 4);
                    return udpLen - 8 == wanted.length
                            && InetFrames.u16(f, l4 + 2) == 7777
                            && Arrays.equals(Arrays.copyOfRange(f, l4 + 8, l4 + udpLen), wanted);
                });
    }

    private static boolean isArpReplyFromKernel(byte[] f) {
        return InetFrames.etherType(f) == InetFrames.ETH_ARP
                && InetFrames.arpOp(f) == 2
                && InetFrames.arpSha(f).equals(KERNEL_MAC)
                && InetFrames.arpSpa(f) == KERNEL_INNER_IP.value();
    }

    private static boolean isEchoReply(byte[] f) {
        return f.length >= 42
                && InetFrames.etherType(f) == InetFrames.ETH_IPV4
                && InetFrames.ipProtocol(f) == InetFrames.PROTO_ICMP
                && (f[InetFrames.l4Offset(f)] & 0xFF) == InetFrames.ICMP_ECHO_REPLY;
    }

    /** Distinct echo replies with id 0x4242, a good checksum, and our payload. */
    private static long echoRepliesSeen(byte[] payload) {
        return responder.seen().stream()
                .map(Seen::frame)
                .filter(KernelVxlanInteropTest::isEchoReply)
                .filter(f -> {
                    int l4 = InetFrames.l4Offset(f);
                    int l4Len = InetFrames.ipTotalLength(f) - (l4 - 14);
                    return InetFrames.u16(f, l4 + 4) == 0x4242
                            && InetFrames.checksum(f, l4, l4Len) == 0
                            && Arrays.equals(Arrays.copyOfRange(f, l4 + 8, l4 + l4Len), payload);
                })
                .mapToInt(f -> InetFrames.u16(f, InetFrames.l4Offset(f) + 6))
                .distinct()
                .count();
    }

    private static String describe(List<Seen> seen) {
        StringBuilder sb = new StringBuilder();
        for (Seen s : seen) {
            sb.append(String.format(
                    "[vni %d from %s type 0x%04x len %d] ",
                    s.vni(), new Ipv4(s.vtep()), InetFrames.etherType(s.frame()), s.frame().length));
        }
        return sb.toString();
    }
}
