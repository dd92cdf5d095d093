package io.portmesh.sharding.southbound;

import io.netty.buffer.ByteBuf;
import io.portmesh.model.HostId;
import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfStats;
import io.portmesh.openflow.OfSwitchInfo;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;

/**
 * An agent connection the test drives by hand: it records the xids of what a session writes and leaves every barrier
 * and request pending until the test completes it, so that the order of barrier replies and errors is the test's.
 */
final class FakeAgentConnection implements OfConnection {
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    private final AtomicLong xids = new AtomicLong(100);
    /** The xids of each sendEncoded call, in order. */
    final ConcurrentLinkedQueue<List<Long>> writes = new ConcurrentLinkedQueue<>();

    final ConcurrentLinkedQueue<CompletableFuture<OFBarrierReply>> barriers = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<OFMessage> requests = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<CompletableFuture<OFMessage>> replies = new ConcurrentLinkedQueue<>();

    /** A multipart request a session sent, and its replies' future for the test to complete. */
    record Multipart(OFStatsRequest<?> request, CompletableFuture<List<? extends OFStatsReply>> replies) {}

    final ConcurrentLinkedQueue<Multipart> multiparts = new ConcurrentLinkedQueue<>();

    @Override
    public long id() {
        return 1;
    }

    @Override
    public OfRole localRole() {
        return OfRole.CONTROLLER;
    }

    @Override
    public OFFactory factory() {
        return F;
    }

    @Override
    public long nextXid() {
        return xids.incrementAndGet();
    }

    @Override
    public boolean send(OFMessage message) {
        return true;
    }

    @Override
    public boolean send(List<? extends OFMessage> messages) {
        return true;
    }

    @Override
    public boolean sendEncoded(ByteBuf wire) {
        List<Long> sent = new ArrayList<>();
        for (int at = wire.readerIndex(); at < wire.writerIndex(); at += wire.getUnsignedShort(at + 2)) {
            sent.add(wire.getUnsignedInt(at + 4));
        }
        writes.add(sent);
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R extends OFMessage> CompletableFuture<R> request(OFMessage request, Class<R> replyType) {
        CompletableFuture<OFMessage> f = new CompletableFuture<>();
        requests.add(request);
        replies.add(f);
        return (CompletableFuture<R>) f;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <R extends OFStatsReply> CompletableFuture<List<R>> multipart(OFStatsRequest<R> request) {
        CompletableFuture<List<R>> f = new CompletableFuture<>();
        multiparts.add(new Multipart(request, (CompletableFuture) f));
        return f;
    }

    @Override
    public CompletableFuture<OFBarrierReply> barrier() {
        CompletableFuture<OFBarrierReply> f = new CompletableFuture<>();
        barriers.add(f);
        return f;
    }

    @Override
    public Optional<OfSwitchInfo> switchInfo() {
        return Optional.empty();
    }

    @Override
    public OFFeaturesReply features() {
        return F.buildFeaturesReply().setDatapathId(DatapathId.of(1)).build();
    }

    @Override
    public OFDescStatsReply description() {
        return F.buildDescStatsReply().build();
    }

    @Override
    public List<OFPortDesc> ports() {
        return List.of();
    }

    @Override
    public DatapathId datapathId() {
        return DatapathId.of(1);
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 6653);
    }

    @Override
    public boolean isActive() {
        return true;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public void close() {}

    @Override
    public OfStats stats() {
        return null;
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
        return Optional.empty();
    }

    @Override
    public Object attachment() {
        return null;
    }

    @Override
    public void attach(Object attachment) {}

    /**
     * A session of this connection for host esx-1, slot a, once it announced itself to {@code shard} (the host's
     * shard region as the session sees it).
     */
    ActorRef<SessionCommand> announcedSession(ActorTestKit kit, TestProbe<HostProtocol.Command> shard) {
        ActorRef<SessionCommand> session = kit.spawn(SouthboundSession.create(
                this,
                new AgentIdentity(HostId.of("esx-1"), "a"),
                TestEntityRef.of(HostEntity.TYPE_KEY, "esx-1", shard.ref()),
                "node-1",
                Duration.ofHours(1)));
        shard.expectMessageClass(HostProtocol.AgentConnected.class);
        return session;
    }

    static OFBarrierReply barrierReply() {
        return F.buildBarrierReply().build();
    }

    static OFFactory factoryOf13() {
        return F;
    }
}
