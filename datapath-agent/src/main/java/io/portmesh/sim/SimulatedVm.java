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
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
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
 * <p>It can {@linkplain #moveTo move} to another wire and VLAN (another host's trunk), as a VM does in a live
 * migration: same MAC, address, sequence numbers, ARP cache and counters.
 *
 * <p>All of its work runs on its wires' receive threads; the methods that send may be called from any thread.
 */
public final class SimulatedVm implements AutoCloseable {
    public static final int DEFAULT_RING_CAPACITY = 1024;

    private record StreamKey(long source, int streamId) {}

    private final Mac mac;
    private final Ipv4 ip;
    /** The wire this VM opened itself (and closes with it), or null. */
    private final PseudoWire ownWire;
    /** Where the VM is plugged in, and its moves. */
    private final VmAttachment attachment;

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
    private volatile BiConsumer<Mac, Ipv4> arpRequestHook = (sender, target) -> {};

    /** A VM with a wire of its own to {@code trunk}; closing the VM closes the wire, even after a move away from it. */
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
        this.attachment = new VmAttachment(this, wire, vlan);
        this.mac = Objects.requireNonNull(mac, "mac");
        this.ip = Objects.requireNonNull(ip, "ip");
        this.ownWire = ownsWire ? wire : null;
        this.ring = new FrameRing(ringCapacity);
        attachment.plugIn();
    }

    public Mac mac() {
        return mac;
    }

    public Ipv4 ip() {
        return ip;
    }

    /** The access VLAN of the port group the VM is on now. */
    public int vlan() {
        return attachment.vlan();
    }

    /** The wire the VM is on now. */
    public PseudoWire wire() {
        return attachment.wire();
    }

    // ---- moving

    /**
     * A move as it happened: the instant it switched port groups ({@link System#nanoTime()}), and whether each wire's
     * marker came back through its receive queue (false: a drain ran after {@link VmAttachment#DRAIN_TIMEOUT} without
     * it, so the hand-over was not in order and frames around the instant may have been left undelivered).
     */
    public record MoveTrace(long movedNanos, boolean arrivalInOrder, boolean departureInOrder) {}

    /** The last move to another port group, once {@link #moveTo} returned; empty before. */
    public Optional<MoveTrace> lastMove() {
        return Optional.ofNullable(attachment.lastMove());
    }

    /** {@link #moveTo(PseudoWire, int, boolean)} without the RARP: the VM arrives silently. */
    public void moveTo(PseudoWire wire, int vlan) {
        moveTo(wire, vlan, false);
    }

    /**
     * Moves the VM to the port group of {@code vlan} on {@code wire} (typically another host's trunk), as a live
     * migration does, keeping its MAC, address, sequence numbers, ARP cache and every counter. No controller is told:
     * the test chooses the instant.
     *
     * <ul>
     *   <li>Sending switches at once and atomically: a frame is sent wholly before the move (old VLAN, old wire) or
     *       wholly after it, and every frame sent after this returns (from any thread) carries {@code vlan} and goes
     *       out on {@code wire}. With {@code announce}, a RARP for the VM's MAC is the first frame sent after the move
     *       (what the hypervisor sends when the VM resumes on its new host).
     *   <li>Receiving switches at the instant of the move as each port group's queue sees it: the move puts a marker
     *       into the receive queue of the new wire, then of the old one. The VM gets what its old port group queued
     *       before the marker (a migration carries the VM's receive queue over), then, in that order, what its new
     *       port group queued after its marker. What the old port group gets after, and the new one got before, is
     *       not delivered: the wire counts it {@linkplain PseudoWire#unclaimedFrames() unclaimed}. This returns once
     *       both wires have passed their markers (each waited for up to {@link VmAttachment#DRAIN_TIMEOUT}); from
     *       then on only the new port group delivers.
     *   <li>So with dual delivery (each frame for the VM sent to both port groups, the old one first) no frame is
     *       lost and none comes out of order by the move; a frame whose two copies straddle the instant between the
     *       two markers (microseconds, unless the moving thread is descheduled there) is delivered twice: duplicates
     *       are counted, never hidden.
     * </ul>
     *
     * Moving to where the VM already is changes nothing (but still announces). Moving onto a VLAN that another VM
     * holds on {@code wire} throws {@link IllegalStateException} and leaves the VM where it was. Must not be called
     * from the VM's own receive path (a hook) while it handles a frame.
     *
     * <p>A VM that opened its own wire (the {@link #SimulatedVm(Mac, Ipv4, int, InetSocketAddress) trunk-address
     * constructor}) keeps that wire open when it moves away (it still stands for the port group it left, counting
     * unclaimed frames) and closes it when the VM is closed, wherever the VM is then; a wire it was given, in a
     * constructor or here, it never closes.
     */
    public void moveTo(PseudoWire wire, int vlan, boolean announce) {
        attachment.moveTo(wire, vlan, announce ? this::rarp : null);
    }

    /**
     * Called on the wire's receive thread with the sender's MAC and the target address of every ARP request another VM
     * sent that reaches this one (a broadcast load counts its requests where they arrive with it).
     */
    public void setArpRequestHook(BiConsumer<Mac, Ipv4> hook) {
        arpRequestHook = Objects.requireNonNull(hook, "hook");
    }

    /** Receives every ping RTT in nanoseconds, on the wire's receive thread (e.g. an {@link RttHistogram}). */
    public void setRttHook(LongConsumer hook) {
        this.rttHook = Objects.requireNonNull(hook, "hook");
    }

    // ---- sending

    /** Sends a frame on the current port group, built for its VLAN (see {@link #moveTo}). */
    private void sendNow(IntFunction<byte[]> frameForVlan) {
        attachment.send(frameForVlan);
    }

    /** Sends a frame that already carries a tag (which may differ from this VM's VLAN: for misbehaviour tests). */
    public void sendTagged(byte[] frame) {
        sendNow(vlan -> frame);
    }

    /** Tags an untagged Ethernet frame with this VM's VLAN and sends it. */
    public void sendUntagged(byte[] frame) {
        sendNow(vlan -> EtherFrames.tag(frame, vlan));
    }

    public void sendArpRequest(Ipv4 target) {
        sendNow(vlan -> EtherFrames.arp(
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
        sendNow(vlan -> EtherFrames.arp(
                Mac.BROADCAST, mac, vlan, EtherFrames.ETHERTYPE_ARP, EtherFrames.ARP_REQUEST, mac, ip, new Mac(0), ip));
    }

    /** A reverse-ARP request for our own MAC, broadcast, as a hypervisor sends for a VM it has just moved. */
    public void sendRarp() {
        sendNow(this::rarp);
    }

    private byte[] rarp(int vlan) {
        Ipv4 zero = new Ipv4(0);
        return EtherFrames.arp(
                Mac.BROADCAST, mac, vlan, EtherFrames.ETHERTYPE_RARP, EtherFrames.RARP_REQUEST, mac, zero, mac, zero);
    }

    /** Sends one ping request of {@code frameSize} bytes (at least 64) to {@code dst}; returns its sequence number. */
    public long sendPing(Mac dst, int frameSize) {
        long seq = lastSeq.incrementAndGet();
        sent.increment();
        sendNow(vlan -> PingFrames.request(dst, mac, vlan, seq, System.nanoTime(), frameSize));
        return seq;
    }

    /** Frame {@code seq} of stream {@code streamId} (see {@link FrameStream}). */
    void sendStreamFrame(Mac dst, int streamId, long seq, int frameSize) {
        sendNow(vlan -> StreamFrames.frame(dst, mac, vlan, streamId, seq, System.nanoTime(), frameSize));
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

    /**
     * A frame of {@code vlan} that {@code from} received. False, and nothing done, when the VM is not (or no longer)
     * attached there: the wire then counts the frame unclaimed.
     */
    boolean onFrame(PseudoWire from, int vlan, byte[] frame, int len) {
        if (!attachment.enter(from, vlan)) {
            return false;
        }
        try {
            ring.add(frame, len);
            Mac dst = EtherFrames.dst(frame);
            if (!dst.equals(mac) && !dst.isBroadcast()) {
                return true;
            }
            switch (EtherFrames.innerEtherType(frame)) {
                case EtherFrames.ETHERTYPE_ARP -> onArp(frame, len);
                case EtherFrames.ETHERTYPE_PING -> onPing(frame, len, dst);
                case EtherFrames.ETHERTYPE_STREAM -> onStream(frame, len, dst);
                default -> {
                    // RARP and anything else: recorded above, nothing to answer.
                }
            }
            return true;
        } finally {
            attachment.exit();
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
        if (op == EtherFrames.ARP_REQUEST && !sha.equals(mac)) {
            arpRequestHook.accept(sha, tpa);
        }
        if (op == EtherFrames.ARP_REQUEST && tpa.equals(ip) && !sha.equals(mac)) {
            arpCache.put(spa, sha);
            // answered from where the VM is now (the request may have come in on the port group it is leaving)
            attachment.answer(vlan -> EtherFrames.arp(
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
            attachment.answer(vlan -> PingFrames.reply(f, len, mac, vlan));
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

    /**
     * Unplugs the VM from its port group (and from the one a move is still leaving), and closes the wire it opened
     * itself, if it did, whether or not it is still on it (see {@link #moveTo}). Sends after close go nowhere useful.
     */
    @Override
    public void close() {
        if (attachment.close() && ownWire != null) {
            ownWire.close();
        }
    }

    @Override
    public String toString() {
        return "SimulatedVm[" + mac + " " + ip + " vlan " + vlan() + "]";
    }
}
