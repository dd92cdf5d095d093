package io.portmesh.sharding.host;

import io.portmesh.model.CborSerializable;
import io.portmesh.model.SwitchId;
import io.portmesh.sharding.Futures;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;

/**
 * Tells the hosts of a logical switch about a change with one message per controller node instead of one ask per
 * host. A binding in a switch that spans 25 hosts used to make 25 asks, two thirds of them to other nodes (each
 * serialized, with its own temporary reply actor to resolve on the far side); now the switch's node sends one
 * {@link Deliver} to each node, which asks the hosts that run there through its own shard region (local: no
 * serialization) and answers with all their {@link HostProtocol.Applied} in one {@link Delivered}.
 *
 * <p>Which hosts run where is each node's own knowledge ({@link #hostStarted}/{@link #hostStopped}, kept by the Host
 * entities); the nodes are found through the receptionist. Neither has to be exact: a node delivers only through
 * sharding, so a host it wrongly believes local still gets the message where it runs, and a host that no node
 * claimed (moving, not started, on a node not yet listed, a node that did not answer) is asked directly afterwards.
 * Hosts take a change idempotently (by the switch's membership version), so a host reached twice is harmless.
 */
public final class HostFanout implements Extension {
    public static final ServiceKey<Deliver> KEY = ServiceKey.create(Deliver.class, "portmesh-host-fanout");

    /**
     * What the hosts of one switch learn: hosts in {@code newHosts} did not hold the member list before this change
     * and get the whole list {@code members} (null when there are none); the others get only {@code change}.
     */
    public record Update(String switchId, SwitchMembers.Change change, SwitchMembers members, Set<String> newHosts)
            implements CborSerializable {
        public Update {
            newHosts = Set.copyOf(newHosts);
            if (!newHosts.isEmpty() && members == null) {
                throw new IllegalArgumentException("hosts " + newHosts + " need the whole member list");
            }
        }

        HostProtocol.Command commandFor(
                String host, boolean await, ActorRef<StatusReply<HostProtocol.Applied>> replyTo) {
            return newHosts.contains(host)
                    ? new HostProtocol.ApplySwitchMembers(SwitchId.of(switchId), members, await, replyTo)
                    : new HostProtocol.ApplyMemberChange(SwitchId.of(switchId), change, await, replyTo);
        }
    }

    /** To a node: deliver {@code update} to those of {@code hosts} that run there. */
    public record Deliver(
            Update update, List<String> hosts, boolean await, long timeoutMillis, ActorRef<Delivered> replyTo)
            implements CborSerializable {
        public Deliver {
            hosts = List.copyOf(hosts);
        }
    }

    /** A node's answer: the hosts it reached, each with its answer. */
    public record Delivered(Map<String, HostProtocol.Applied> applied) implements CborSerializable {
        public Delivered {
            applied = Map.copyOf(applied);
        }
    }

    private static final Delivered NOTHING = new Delivered(Map.of());

    /** How often a fan-out that waits for a node checks whether the cluster still counts that node usable. */
    private static final Duration SILENT_NODE_CHECK = Duration.ofMillis(200);

    /** How much longer than a host's own answer a node's answer may take before its hosts are asked directly. */
    private static final Duration NODE_MARGIN = Duration.ofSeconds(2);

    private static final ExtensionId<HostFanout> ID = new ExtensionId<>() {
        @Override
        public HostFanout createExtension(ActorSystem<?> system) {
            return new HostFanout(system);
        }
    };

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Cluster cluster;
    private final Executor executor;
    /** Host entities running here; the node actor watches each and removes it when it stops, whatever its state. */
    private final Map<String, ActorRef<HostProtocol.Command>> localHosts = new ConcurrentHashMap<>();

    private final ActorRef<Object> nodeActor;
    private volatile Set<ActorRef<Deliver>> nodes = Set.of();
    private final AtomicLong reachedThroughNodes = new AtomicLong();
    private final AtomicLong askedDirectly = new AtomicLong();

    private HostFanout(ActorSystem<?> system) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.cluster = Cluster.get(system);
        this.executor = system.executionContext();
        this.nodeActor = system.systemActorOf(node(), "portmesh-host-fanout", Props.empty());
        NodeMetrics.get(system)
                .countedElsewhere(
                        "portmesh_fanout_hosts_total",
                        "Hosts told of a switch change by this node's switches: through the node they run on (one "
                                + "message per node) or asked directly (no node claimed them: moving, or a node "
                                + "did not answer)",
                        "path",
                        Map.of("node", reachedThroughNodes::get, "direct", askedDirectly::get));
    }

    public static HostFanout get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** A Host entity started on this node; it leaves the list when it stops (passivation, rebalance, shutdown). */
    void hostStarted(String hostId, ActorRef<HostProtocol.Command> entity) {
        localHosts.put(hostId, entity);
        nodeActor.tell(new Watch(hostId, entity));
    }

    /** The Host entities running on this node, as far as this node knows. */
    public Set<String> localHosts() {
        return Set.copyOf(localHosts.keySet());
    }

    /** Local: watch a host entity that started here. */
    private record Watch(String hostId, ActorRef<HostProtocol.Command> entity) {}

    /** Local: a watched host entity stopped. */
    private record Stopped(String hostId, ActorRef<HostProtocol.Command> entity) {}

    /** How many fan-out nodes the receptionist lists (this one included, once it registered). */
    public int nodeCount() {
        return nodes.size();
    }

    /** Hosts reached through a node's Deliver so far (each host of each update counts once). */
    public long reachedThroughNodes() {
        return reachedThroughNodes.get();
    }

    /** Hosts that no node claimed, asked directly through sharding so far. */
    public long askedDirectly() {
        return askedDirectly.get();
    }

    /**
     * Tells every host in {@code hosts} about {@code update}. Completes with each host's answer, or exceptionally when
     * a host could not be reached at all within {@code timeout}.
     */
    public CompletionStage<Map<String, HostProtocol.Applied>> inform(
            Update update, Collection<String> hosts, boolean await, Duration timeout) {
        List<String> targets = List.copyOf(hosts);
        List<ActorRef<Deliver>> asked = usableNodes();
        FanoutRound round = new FanoutRound(targets, Set.copyOf(asked));
        for (ActorRef<Deliver> n : asked) {
            CompletionStage<Delivered> ask = AskPattern.ask(
                    n,
                    r -> new Deliver(update, targets, await, timeout.toMillis(), r),
                    timeout.plus(NODE_MARGIN),
                    system.scheduler());
            Futures.on(ask, executor).whenComplete((d, e) -> {
                if (e == null) {
                    round.answered(n, d);
                } else {
                    round.failed(n);
                }
            });
        }
        // a node that crashed stays silent: stop waiting for it once the cluster no longer counts it usable
        Cancellable watch = round.isDone()
                ? null
                : system.scheduler()
                        .scheduleWithFixedDelay(
                                SILENT_NODE_CHECK,
                                SILENT_NODE_CHECK,
                                () -> round.forgetUnless(usableAddresses()::contains),
                                system.executionContext());
        return round.done().thenCompose(claimed -> {
            if (watch != null) {
                watch.cancel();
            }
            Map<String, HostProtocol.Applied> applied = new HashMap<>(claimed);
            List<String> missed =
                    targets.stream().filter(h -> !applied.containsKey(h)).toList();
            reachedThroughNodes.addAndGet(applied.size());
            askedDirectly.addAndGet(missed.size());
            if (missed.isEmpty()) {
                return CompletableFuture.completedFuture(applied);
            }
            // not claimed by any node: through sharding, which starts the entity where it belongs
            Map<String, CompletableFuture<HostProtocol.Applied>> direct = askEach(update, missed, await, timeout);
            return CompletableFuture.allOf(direct.values().toArray(CompletableFuture[]::new))
                    .thenApply(done -> {
                        direct.forEach((h, f) -> applied.put(h, f.join()));
                        return applied;
                    });
        });
    }

    /**
     * The listed nodes that are up and reachable: a node that is leaving hands its hosts over and one that cannot be
     * reached would hold the update until the timeout, so their hosts are asked through sharding instead.
     */
    private List<ActorRef<Deliver>> usableNodes() {
        Set<Address> usable = usableAddresses();
        return nodes.stream()
                .filter(n -> n.path().address().hasLocalScope()
                        || usable.contains(n.path().address()))
                .toList();
    }

    /** Addresses of the members that are up and reachable, this node's own local-scope address included. */
    private Set<Address> usableAddresses() {
        CurrentClusterState state = cluster.state();
        Set<Address> up = new HashSet<>();
        up.add(nodeActor.path().address()); // the local address as actor paths here carry it
        state.getMembers().forEach(m -> {
            if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) {
                up.add(m.address());
            }
        });
        state.getUnreachable().forEach(m -> up.remove(m.address()));
        return up;
    }

    private Map<String, CompletableFuture<HostProtocol.Applied>> askEach(
            Update update, Collection<String> hosts, boolean await, Duration timeout) {
        Map<String, CompletableFuture<HostProtocol.Applied>> asks = new HashMap<>();
        for (String h : hosts) {
            CompletionStage<HostProtocol.Applied> ask = sharding.entityRefFor(HostEntity.TYPE_KEY, h)
                    .askWithStatus(r -> update.commandFor(h, await, r), timeout);
            asks.put(h, Futures.on(ask, executor));
        }
        return asks;
    }

    /** This node's end: registers with the receptionist, follows the other nodes, delivers to its own hosts. */
    private Behavior<Object> node() {
        return Behaviors.setup(ctx -> {
            ActorRef<Deliver> self = ctx.getSelf().narrow();
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, self));
            // the listing through an adapter: the cluster receptionist refuses one actor as both service and subscriber
            ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, l -> l);
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, listings));
            return Behaviors.receive(Object.class)
                    .onMessage(Receptionist.Listing.class, l -> {
                        nodes = Set.copyOf(l.getServiceInstances(KEY));
                        return Behaviors.same();
                    })
                    .onMessage(Watch.class, w -> {
                        ctx.watchWith(w.entity(), new Stopped(w.hostId(), w.entity()));
                        return Behaviors.same();
                    })
                    .onMessage(Stopped.class, st -> {
                        localHosts.remove(st.hostId(), st.entity()); // not a successor that started meanwhile
                        return Behaviors.same();
                    })
                    .onMessage(Deliver.class, d -> {
                        deliverHere(d);
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** Asks the hosts of {@code d} that run here; a host that does not answer is left to the sender to ask again. */
    private void deliverHere(Deliver d) {
        List<String> here = d.hosts().stream().filter(localHosts::containsKey).toList();
        if (here.isEmpty()) {
            d.replyTo().tell(NOTHING);
            return;
        }
        Map<String, CompletableFuture<HostProtocol.Applied>> asks =
                askEach(d.update(), here, d.await(), Duration.ofMillis(d.timeoutMillis()));
        Map<String, CompletableFuture<HostProtocol.Applied>> tolerant = new HashMap<>();
        asks.forEach((h, f) -> tolerant.put(h, f.exceptionally(e -> null)));
        CompletableFuture.allOf(tolerant.values().toArray(CompletableFuture[]::new))
                .thenRun(() -> {
                    Map<String, HostProtocol.Applied> applied = new HashMap<>();
                    tolerant.forEach((h, f) -> {
                        if (f.join() != null) {
                            applied.put(h, f.join());
                        }
                    });
                    d.replyTo().tell(new Delivered(applied));
                });
    }
}
