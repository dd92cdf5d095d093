package io.portmesh.sharding.service;

import io.portmesh.model.AgentPin;
import io.portmesh.model.HostId;
import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.SwitchId;
import io.portmesh.model.ValidationException;
import io.portmesh.model.Vni;
import io.portmesh.sharding.Errors;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchProtocol;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.resend.AskResender;
import io.portmesh.sharding.view.TopologyView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/** {@link NetworkService} on the sharded entities. Stateless: any node answers any request. */
public final class ShardedNetworkService implements NetworkService {
    /** Time for an entity's answer to come back after its own deadline (as the port entities' client timeouts). */
    private static final Duration REPLY_MARGIN = Duration.ofSeconds(1);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final TopologyView view;
    private final Duration askTimeout;
    private final Duration realizeTimeout;
    private final ClusterInfoReader clusterInfo;
    private final WarmPortIds portIds;
    private final AskResender resender;

    /** Without started port entities ahead of need (see {@link WarmPortIds}). */
    public ShardedNetworkService(
            ActorSystem<?> system, TopologyView view, Duration askTimeout, Duration realizeTimeout) {
        this(system, view, askTimeout, realizeTimeout, 0);
    }

    /** @param warmPortIds how many port entities to keep started for the next creations */
    public ShardedNetworkService(
            ActorSystem<?> system, TopologyView view, Duration askTimeout, Duration realizeTimeout, int warmPortIds) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.view = view;
        this.askTimeout = askTimeout;
        this.realizeTimeout = realizeTimeout;
        this.clusterInfo = new ClusterInfoReader(system);
        this.portIds = new WarmPortIds(system, askTimeout, warmPortIds);
        this.resender = AskResender.get(system);
    }

    @Override
    public CompletionStage<SwitchInfo> createSwitch(SwitchId id, Optional<Integer> vni) {
        vni.ifPresent(Vni::new); // validates the range before any state changes
        String readBack = "switch " + id;
        return ask(
                        vnis(),
                        (ActorRef<StatusReply<Integer>> r) -> new VniRegistryEntity.Claim(id.value(), vni.orElse(0), r),
                        EntityCall.idempotentChange("the VNI registry", "claim a VNI for switch " + id, readBack))
                .thenCompose(v -> ask(
                        lswitch(id),
                        (ActorRef<StatusReply<SwitchInfo>> r) -> new SwitchProtocol.Create(new Vni(v), r),
                        // not resent: a duplicate that arrives after another client deleted the switch would
                        // create it again with a VNI the registry released (docs/architecture.md 7.3)
                        EntityCall.change(readBack, "create it", readBack)));
    }

    @Override
    public CompletionStage<List<SwitchInfo>> listSwitches() {
        return CompletableFuture.completedFuture(view.switches());
    }

    @Override
    public CompletionStage<SwitchInfo> getSwitch(SwitchId id) {
        return ask(lswitch(id), SwitchProtocol.Get::new, EntityCall.read("switch " + id));
    }

    @Override
    public CompletionStage<Void> deleteSwitch(SwitchId id) {
        String readBack = "switch " + id;
        return ask(lswitch(id), SwitchProtocol.Delete::new, EntityCall.change(readBack, "delete it", readBack))
                .thenCompose(vni -> ask(
                        vnis(),
                        (ActorRef<StatusReply<Integer>> r) -> new VniRegistryEntity.Release(id.value(), r),
                        EntityCall.change("the VNI registry", "release the VNI of switch " + id, readBack)))
                .thenApply(x -> null);
    }

    /**
     * Two steps: the tunnel IP is claimed for the host in the cluster-wide registry, then the host is registered. So
     * two hosts registered at the same time on different nodes cannot both get one IP. A host that refuses (it exists
     * with another tunnel IP) gives the claim back. A failure between the two steps (the host did not answer, or this
     * node died) leaves the claim held by this host id: a retry with the same id and IP reuses it and registers the
     * host, and another host asking for that IP is refused naming this one.
     */
    @Override
    public CompletionStage<HostInfo> createHost(HostId id, Ipv4 tunnelIp, Map<String, AgentPin> pins) {
        String ip = tunnelIp.toString();
        String readBack = "host " + id;
        return ask(
                        tunnelIps(),
                        (ActorRef<StatusReply<Done>> r) -> new TunnelIpRegistryEntity.Claim(id.value(), ip, r),
                        EntityCall.idempotentChange(
                                "the tunnel IP registry", "claim " + ip + " for host " + id, readBack))
                .thenCompose(claimed -> ask(
                                host(id.value()),
                                (ActorRef<StatusReply<HostInfo>> r) -> new HostProtocol.Register(tunnelIp, pins, r),
                                EntityCall.idempotentChange(readBack, "register it", readBack))
                        .exceptionallyCompose(e -> releaseIfRefused(id, ip, e)));
    }

    /** Gives the claim back only when the host answered no; after no answer it may have registered with the IP. */
    private CompletionStage<HostInfo> releaseIfRefused(HostId id, String ip, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (!(cause instanceof ConflictException || cause instanceof ValidationException)) {
            return CompletableFuture.failedFuture(cause);
        }
        return ask(
                        tunnelIps(),
                        (ActorRef<StatusReply<Done>> r) -> new TunnelIpRegistryEntity.Release(id.value(), ip, r),
                        EntityCall.change("the tunnel IP registry", "release " + ip, "host " + id))
                .handle((released, e) -> {
                    if (e != null) {
                        // the refusal is still the answer; the claim stays with this host id until a retry
                        system.log().warn("host {} refused, but its claim on tunnel IP {} was not released", id, ip, e);
                    }
                    throw new CompletionException(cause);
                });
    }

    @Override
    public CompletionStage<List<HostInfo>> listHosts() {
        return CompletableFuture.completedFuture(view.hosts());
    }

    @Override
    public CompletionStage<HostInfo> pinAgents(HostId id, Map<String, AgentPin> pins) {
        return ask(
                host(id.value()),
                (ActorRef<StatusReply<HostInfo>> r) -> new HostProtocol.PinAgents(pins, r),
                EntityCall.idempotentChange("host " + id, "pin its agents", "host " + id));
    }

    @Override
    public CompletionStage<HostInfo> getHost(HostId id) {
        return ask(host(id.value()), HostProtocol.Get::new, EntityCall.read("host " + id));
    }

    /**
     * The Host entity answers within its own deadline: it persists the new active slot, then answers once the
     * standby's trunk is up and the peers are re-pointed, or with the host as it is when the realization timeout
     * passed. So the ask waits for that: the ask timeout for the entity to start and persist, the realization
     * timeout, and a margin for the answer's way back.
     */
    @Override
    public CompletionStage<HostInfo> failover(HostId id) {
        String entity = "host " + id;
        return ask(
                host(id.value()),
                HostProtocol.Failover::new,
                EntityCall.change(entity, "fail over to its standby switch VM", entity),
                failoverClientTimeout(askTimeout, realizeTimeout));
    }

    /** How long a caller of {@link #failover} waits for the Host entity's answer; see there. */
    static Duration failoverClientTimeout(Duration askTimeout, Duration realizeTimeout) {
        return askTimeout.plus(realizeTimeout).plus(REPLY_MARGIN);
    }

    @Override
    public CompletionStage<PortInfo> createPort(SwitchId switchId, Mac mac, List<Ipv4> ips, Optional<String> name) {
        PortId id = portIds.take();
        String request = requestId();
        // the port's id is new to the caller: after no answer, the switch's port list tells whether it was created
        return ask(
                port(id),
                (ActorRef<StatusReply<PortInfo>> r) ->
                        new PortProtocol.Create(switchId, mac, List.copyOf(ips), name.orElse(null), request, r),
                // resent after a member's removal: the port runs a request id once (RequestIds)
                EntityCall.idempotentChange("new port " + id, "join switch " + switchId, "switch " + switchId));
    }

    @Override
    public CompletionStage<PortInfo> getPort(PortId id) {
        return ask(port(id), PortProtocol.Get::new, EntityCall.read("port " + id));
    }

    @Override
    public CompletionStage<List<PortInfo>> listPorts(SwitchId switchId) {
        return getSwitch(switchId).thenCompose(sw -> {
            List<CompletableFuture<PortInfo>> all = new ArrayList<>();
            sw.ports().forEach(p -> all.add(getPort(PortId.of(p)).toCompletableFuture()));
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenApply(x -> all.stream().map(CompletableFuture::join).toList());
        });
    }

    @Override
    public CompletionStage<Realization> deletePort(PortId id, boolean waitRealized) {
        String request = requestId();
        return changePort(id, "delete it", r -> new PortProtocol.Delete(waitRealized, request, r), waitRealized)
                .thenApply(o -> realization(o, waitRealized));
    }

    @Override
    public CompletionStage<BindingResult> bindPort(PortId id, HostId hostId, boolean waitRealized) {
        String request = requestId();
        return changePort(
                        id,
                        "bind to host " + hostId,
                        r -> new PortProtocol.Bind(hostId, waitRealized, request, r),
                        waitRealized)
                .thenApply(o -> new BindingResult(id.value(), hostId.value(), o.vlan(), realization(o, waitRealized)));
    }

    @Override
    public CompletionStage<Realization> unbindPort(PortId id, boolean waitRealized) {
        String request = requestId();
        return changePort(id, "unbind", r -> new PortProtocol.Unbind(waitRealized, request, r), waitRealized)
                .thenApply(o -> realization(o, waitRealized));
    }

    /**
     * A change of a port's binding: the port answers within its client timeout, done or not. Resent after a member's
     * removal: the copy carries the request id of the first attempt, and the port never runs an id twice ({@code
     * RequestIds}), so a copy queued behind another client's change cannot undo it, nor one queued behind its own
     * rolled-back attempt apply what the client was told was not (docs/architecture.md 7.3).
     */
    private CompletionStage<PortProtocol.Outcome> changePort(
            PortId id,
            String action,
            Function<ActorRef<StatusReply<PortProtocol.Outcome>>, PortProtocol.Command> msg,
            boolean waitRealized) {
        String entity = "port " + id;
        return ask(
                port(id),
                msg,
                EntityCall.idempotentChange(entity, action, entity),
                LogicalPortEntity.clientTimeout(askTimeout, realizeTimeout, waitRealized));
    }

    @Override
    public CompletionStage<MigrationInfo> startMigration(PortId id, HostId to, boolean waitRealized) {
        return movePort(id, "move to host " + to, r -> new PortProtocol.Move(to, waitRealized, r), waitRealized);
    }

    @Override
    public CompletionStage<MigrationInfo> getMigration(PortId id) {
        return ask(port(id), PortProtocol.GetMove::new, EntityCall.read("port " + id));
    }

    @Override
    public CompletionStage<MigrationInfo> cancelMigration(PortId id, boolean waitRealized) {
        return movePort(id, "cancel its move", r -> new PortProtocol.CancelMove(waitRealized, r), waitRealized);
    }

    @Override
    public CompletionStage<MigrationInfo> completeMigration(PortId id, boolean waitRealized) {
        return movePort(id, "complete its move", r -> new PortProtocol.CompleteMove(waitRealized, r), waitRealized);
    }

    /** A step of a port's move: the port answers within its client timeout, done or not, as for a binding. */
    private CompletionStage<MigrationInfo> movePort(
            PortId id,
            String action,
            Function<ActorRef<StatusReply<MigrationInfo>>, PortProtocol.Command> msg,
            boolean waitRealized) {
        String entity = "port " + id;
        return ask(
                port(id),
                msg,
                EntityCall.change(entity, action, entity + "'s migration"),
                LogicalPortEntity.moveClientTimeout(askTimeout, realizeTimeout, waitRealized));
    }

    /**
     * Reads the port's own journal (its events are written by the port entity alone, so they are its history). A
     * port that does not exist answers 404 first; the read is bounded by the ask timeout.
     */
    @Override
    public CompletionStage<List<PortHistoryEntry>> portHistory(PortId id) {
        return getPort(id)
                .thenCompose(p -> PortHistory.read(system, id.value(), askTimeout)
                        .exceptionally(e -> {
                            throw new CompletionException(new UnavailableException("the history of port " + id
                                    + " could not be read from the journal within " + askTimeout.toMillis() + " ms: "
                                    + Errors.describe(unwrap(e))));
                        }));
    }

    /**
     * Answers from this node's own view of the membership at once, with the shard counts that arrive within
     * {@link ClusterInfoReader#STATS_BOUND}: it never waits for a dead member, so it never answers 503.
     */
    @Override
    public CompletionStage<ClusterInfo> clusterInfo() {
        return clusterInfo.read();
    }

    /**
     * The entities waited for realization themselves (each host answers its part once its agents acknowledged, or at
     * the realization timeout), so the outcome already says which hosts are behind.
     */
    private static Realization realization(PortProtocol.Outcome o, boolean waited) {
        return waited ? new Realization(true, o.behind().isEmpty(), o.behind()) : Realization.NOT_WAITED;
    }

    private <M, R> CompletionStage<R> ask(
            EntityRef<M> ref, Function<ActorRef<StatusReply<R>>, M> msg, EntityCall call) {
        return ask(ref, msg, call, askTimeout);
    }

    /** Fails with the exceptions {@link NetworkService} documents; a 503 says what {@code call} did not complete. */
    private <M, R> CompletionStage<R> ask(
            EntityRef<M> ref, Function<ActorRef<StatusReply<R>>, M> msg, EntityCall call, Duration timeout) {
        return resender.ask(ref, msg, timeout, call.resendable()).handle((r, e) -> {
            if (e != null) {
                throw new CompletionException(call.explain(Errors.toException(e), timeout));
            }
            return r;
        });
    }

    /**
     * A new id for one API call: its copies resent after a member's removal carry it. Made once per call, outside the
     * message function, which is called once per attempt.
     */
    private static String requestId() {
        return java.util.UUID.randomUUID().toString();
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private EntityRef<VniRegistryEntity.Command> vnis() {
        return sharding.entityRefFor(VniRegistryEntity.TYPE_KEY, VniRegistryEntity.ID);
    }

    private EntityRef<TunnelIpRegistryEntity.Command> tunnelIps() {
        return sharding.entityRefFor(TunnelIpRegistryEntity.TYPE_KEY, TunnelIpRegistryEntity.ID);
    }

    private EntityRef<HostProtocol.Command> host(String id) {
        return sharding.entityRefFor(HostEntity.TYPE_KEY, id);
    }

    private EntityRef<SwitchProtocol.Command> lswitch(SwitchId id) {
        return sharding.entityRefFor(LogicalSwitchEntity.TYPE_KEY, id.value());
    }

    private EntityRef<PortProtocol.Command> port(PortId id) {
        return sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, id.value());
    }
}
