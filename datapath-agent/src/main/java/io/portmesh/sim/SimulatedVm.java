package io.portmesh.sim;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * A simulated VM NIC on a UDP pseudo-wire trunk: one MAC, one IPv4 address, one access VLAN (every frame it sends is
 * tagged with it). It answers ARP requests for its address and pings addressed to its MAC, resolves addresses, sends
 * gratuitous ARP and RARP on demand (what a hypervisor sends when a VM moves), pings, and keeps the statistics of its
 * pings. It records every frame delivered to it (bounded ring), including those not addressed to it, so a test can
 * assert that a frame did not leak to it.
 *
 * <p>It counts the {@link FrameStream}s sent to its MAC, per source stream.
 *
 * <p>All of its work runs on its wire's receive thread; the methods that send may be called from any thread.
 */
public final class SimulatedVm implements AutoCloseable {
    public static final int DEFAULT_RING_CAPACITY = 1024;

    private final Mac mac;
    private final Ipv4 ip;
    private final int vlan;
    private final PseudoWire wire;
    private final boolean ownsWire;
    private final FrameRing ring;
    private final Map<Ipv4, Mac> arpCache = new ConcurrentHashMap<>();
    private final Map<Ipv4, CompletableFuture<Mac>> pendingResolves = new ConcurrentHashMap<>();
    private final AtomicLong lastSeq = new AtomicLong();
    private final SeqWindow replies = new SeqWindow();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final Map<StreamKey, StreamReceiver> streams = new ConcurrentHashMap<>();
    private volatile LongConsumer rttHook = nanos -> {};

    private record StreamKey(long source, int streamId) {}

    /** A VM with a wire of its own to {@code trunk}; closing the VM closes the wire. */
    public SimulatedVm(Mac mac, Ipv4 ip, int vlan, InetSocketAddress trunk) throws IOException {
        this(mac, ip, vlan, PseudoWire.open(trunk), true, DEFAULT_RING_CAPACITY);
    }

    /** A VM on a shared wire (one VM per VLAN per wire); closing the VM leaves the wire open. */
    public SimulatedVm(Mac mac, Ipv4 ip, int vlan, PseudoWire wire) {
        this(mac, ip, vlan, wire, false, DEFAULT_RING_CAPACITY);
    }

    /** As above, keeping the last {@code ringCapacity} received frames. */
    public SimulatedVm(Mac mac, Ipv4 ip, int vlan, PseudoWire wire, int ringCapacity) {
        this(mac, ip, vlan, wire, false, ringCapacity);
    }

    private SimulatedVm(Mac mac, Ipv4 ip, int vlan, PseudoWire wire, boolean ownsWire, int ringCapacity) {
        if (vlan < 1 || vlan > 4094) {
            throw new IllegalArgumentException("VLAN " + vlan + " is outside 1..4094");
        }
        this.mac = Objects.requireNonNull(mac, "mac");
        this.ip = Objects.requireNonNull(ip, "ip");
        this.vlan = vlan;
        this.wire = Objects.requireNonNull(wire, "wire");
        this.ownsWire = ownsWire;
        this.ring = new FrameRing(ringCapacity);
        wire.attach(this);
    }

    public Mac mac() {
        return mac;
    }

    public Ipv4 ip() {
        return ip;
    }

    public int vlan() {
        return vlan;
    }

    public PseudoWire wire() {
        return wire;
    }

    /** Receives every ping RTT in nanoseconds, on the wire's receive thread (e.g. an {@link RttHistogram}). */
    public void setRttHook(LongConsumer hook) {
        this.rttHook = Objects.requireNonNull(hook, "hook");
    }

    // ---- sending

    /** Sends a frame that already carries a tag (which may differ from this VM's VLAN: for misbehaviour tests). */
    public void sendTagged(byte[] frame) {
        wire.send(frame, 0, frame.length);
    }

    /** Tags an untagged Ethernet frame with this VM's VLAN and sends it. */
    public void sendUntagged(byte[] frame) {
        sendTagged(EtherFrames.tag(frame, vlan));
    }

    public void sendArpRequest(Ipv4 target) {
        sendTagged(EtherFrames.arp(
                Mac.BROADCAST,
                mac,
                vlan,
                EtherFrames.ETHERTYPE_ARP,
                EtherFrames.ARP_REQUEST,
                mac,
                ip,
                new Mac(0),
                target));
    }

    /**
     * The MAC of {@code target}: at once if cached, else after an ARP request is answered. The future never times out
     * by itself; use {@link CompletableFuture#orTimeout}.
     */
    public CompletableFuture<Mac> resolve(Ipv4 target) {
        Mac known = arpCache.get(target);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<Mac> f = pendingResolves.computeIfAbsent(target, t -> new CompletableFuture<>());
        f.whenComplete((m, e) -> pendingResolves.remove(target, f));
        sendArpRequest(target);
        return f;
    }

    public Optional<Mac> arpCache(Ipv4 target) {
        return Optional.ofNullable(arpCache.get(target));
    }

    /** A gratuitous ARP request (sender and target address both ours, broadcast), as a VM sends on boot. */
    public void sendGratuitousArp() {
        sendTagged(EtherFrames.arp(
                Mac.BROADCAST, mac, vlan, EtherFrames.ETHERTYPE_ARP, EtherFrames.ARP_REQUEST, mac, ip, new Mac(0), ip));
    }

    /** A reverse-ARP request for our own MAC, broadcast, as a hypervisor sends for a VM it has just moved. */
    public void sendRarp() {
        Ipv4 zero = new Ipv4(0);
        sendTagged(EtherFrames.arp(
                Mac.BROADCAST, mac, vlan, EtherFrames.ETHERTYPE_RARP, EtherFrames.RARP_REQUEST, mac, zero, mac, zero));
    }

    /** Sends one ping request of {@code frameSize} bytes (at least 64) to {@code dst}; returns its sequence number. */
    public long sendPing(Mac dst, int frameSize) {
        long seq = lastSeq.incrementAndGet();
        byte[] frame = PingFrames.request(dst, mac, vlan, seq, System.nanoTime(), frameSize);
        sent.increment();
        sendTagged(frame);
        return seq;
    }

    /** Frame {@code seq} of stream {@code streamId} (see {@link FrameStream}). */
    void sendStreamFrame(Mac dst, int streamId, long seq, int frameSize) {
        sendTagged(StreamFrames.frame(dst, mac, vlan, streamId, seq, System.nanoTime(), frameSize));
    }

    /** The counts of the stream {@code streamId} from {@code source} arriving here (made on first use). */
    StreamReceiver streamReceiver(Mac source, int streamId) {
        return streams.computeIfAbsent(new StreamKey(source.value(), streamId), k -> new StreamReceiver());
    }

    // ---- statistics and recorded frames

    public PingStats pingStats() {
        long r = received.sum();
        long s = sent.sum();
        return new PingStats(s, r, s - r, duplicates.sum(), outOfOrder.sum(), unexpected.sum(), answered.sum());
    }

    /** The frames this VM received, oldest first, as they came off the wire (tagged). */
    public List<byte[]> receivedFrames() {
        return ring.snapshot();
    }

    /** How many frames this VM received in all (the ring keeps only the last ones). */
    public long receivedCount() {
        return ring.total();
    }

    /** Whether any recorded frame matches. */
    public boolean hasReceived(Predicate<byte[]> matcher) {
        return ring.snapshot().stream().anyMatch(matcher);
    }

    public void clearReceived() {
        ring.clear();
    }

    // ---- receiving (wire thread)

    void onFrame(byte[] frame, int len) {
        ring.add(frame, len);
        Mac dst = EtherFrames.dst(frame);
        if (!dst.equals(mac) && !dst.isBroadcast()) {
            return;
        }
        switch (EtherFrames.innerEtherType(frame)) {
            case EtherFrames.ETHERTYPE_ARP -> onArp(frame, len);
            case EtherFrames.ETHERTYPE_PING -> onPing(frame, len, dst);
            case EtherFrames.ETHERTYPE_STREAM -> onStream(frame, len, dst);
            default -> {
                // RARP and anything else: recorded above, nothing to answer.
            }
        }
    }

    private void onStream(byte[] f, int len, Mac dst) {
        if (!dst.equals(mac) || !StreamFrames.is(f, len)) {
            return;
        }
        streamReceiver(EtherFrames.src(f), StreamFrames.streamId(f)).accept(StreamFrames.seq(f));
    }

    private void onArp(byte[] f, int len) {
        int p = EtherFrames.TAGGED_HEADER;
        if (len < p + 28 || EtherFrames.u16(f, p) != 1 || EtherFrames.u16(f, p + 2) != EtherFrames.ETHERTYPE_IPV4) {
            return;
        }
        int op = EtherFrames.u16(f, p + 6);
        Mac sha = Mac.of(f, p + 8);
        Ipv4 spa = new Ipv4(EtherFrames.i32(f, p + 14));
        Ipv4 tpa = new Ipv4(EtherFrames.i32(f, p + 24));
        if (op == EtherFrames.ARP_REQUEST && tpa.equals(ip) && !sha.equals(mac)) {
            arpCache.put(spa, sha);
            sendTagged(EtherFrames.arp(
                    sha, mac, vlan, EtherFrames.ETHERTYPE_ARP, EtherFrames.ARP_REPLY, mac, ip, sha, spa));
        } else if (op == EtherFrames.ARP_REPLY) {
            arpCache.put(spa, sha);
            CompletableFuture<Mac> waiting = pendingResolves.get(spa);
            if (waiting != null) {
                waiting.complete(sha);
            }
        }
    }

    private void onPing(byte[] f, int len, Mac dst) {
        int type = PingFrames.type(f, len);
        if (type == 0 || !dst.equals(mac)) {
            return;
        }
        if (type == PingFrames.REQUEST) {
            answered.increment();
            sendTagged(PingFrames.reply(f, len, mac, vlan));
            return;
        }
        long seq = PingFrames.seq(f);
        if (seq < 1 || seq > lastSeq.get()) {
            unexpected.increment();
            return;
        }
        switch (replies.accept(seq)) {
            case DUPLICATE -> duplicates.increment();
            case OUT_OF_ORDER -> {
                outOfOrder.increment();
                received.increment();
                rttHook.accept(System.nanoTime() - PingFrames.sentNanos(f));
            }
            case IN_ORDER -> {
                received.increment();
                rttHook.accept(System.nanoTime() - PingFrames.sentNanos(f));
            }
        }
    }

    @Override
    public void close() {
        wire.detach(this);
        if (ownsWire) {
            wire.close();
        }
    }

    @Override
    public String toString() {
        return "SimulatedVm[" + mac + " " + ip + " vlan " + vlan + "]";
    }
}
