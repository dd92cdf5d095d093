package io.portmesh.agent.io;

import io.portmesh.model.Mac;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny IPv4 host behind a VxlanPort for the kernel interop test: answers ARP requests for its address and ICMP
 * echo requests to it, sending back through the tunnel to the VTEP that sent the request. Records every frame.
 */
final class KernelPeerResponder implements FrameSink {
    record Seen(long vni, int vtep, byte[] frame) {}

    private static final int MAX_RECORDED = 10_000;

    private final Mac self;
    private final int selfIp;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger echoRequestsAnswered = new AtomicInteger();
    private volatile VxlanPort port;

    KernelPeerResponder(Mac self, int selfIp) {
        this.self = self;
        this.selfIp = selfIp;
    }

    void attach(VxlanPort port) {
        this.port = port;
    }

    @Override
    public void receive(int inPort, long tunnelId, int tunnelSrcIp, byte[] frame, int off, int len) {
        byte[] f = Arrays.copyOfRange(frame, off, off + len);
        if (seen.size() < MAX_RECORDED) {
            seen.add(new Seen(tunnelId, tunnelSrcIp, f));
        }
        if (len < 42) {
            return;
        }
        if (InetFrames.etherType(f) == InetFrames.ETH_ARP
                && InetFrames.arpOp(f) == 1
                && InetFrames.arpTpa(f) == selfIp) {
            Mac asker = InetFrames.arpSha(f);
            send(InetFrames.arp(asker, 2, self, selfIp, asker, InetFrames.arpSpa(f)), tunnelId, tunnelSrcIp);
        } else if (isEchoRequestToUs(f)) {
            int l4 = InetFrames.l4Offset(f);
            int l4Len = InetFrames.ipTotalLength(f) - (l4 - 14);
            byte[] payload = Arrays.copyOfRange(f, l4 + 8, l4 + l4Len);
            byte[] reply = InetFrames.ipv4(
                    InetFrames.src(f),
                    self,
                    selfIp,
                    InetFrames.ipSrc(f),
                    InetFrames.PROTO_ICMP,
                    InetFrames.icmpEcho(
                            InetFrames.ICMP_ECHO_REPLY, InetFrames.u16(f, l4 + 4), InetFrames.u16(f, l4 + 6), payload));
            send(reply, tunnelId, tunnelSrcIp);
            echoRequestsAnswered.incrementAndGet();
        }
    }

    private boolean isEchoRequestToUs(byte[] f) {
        return InetFrames.etherType(f) == InetFrames.ETH_IPV4
                && InetFrames.ipProtocol(f) == InetFrames.PROTO_ICMP
                && InetFrames.ipDst(f) == selfIp
                && (f[InetFrames.l4Offset(f)] & 0xFF) == InetFrames.ICMP_ECHO_REQUEST;
    }

    void send(byte[] frame, long vni, int vtep) {
        port.send(frame, 0, frame.length, vni, vtep);
    }

    List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    int echoRequestsAnswered() {
        return echoRequestsAnswered.get();
    }

    void clear() {
        seen.clear();
        echoRequestsAnswered.set(0);
    }
}
