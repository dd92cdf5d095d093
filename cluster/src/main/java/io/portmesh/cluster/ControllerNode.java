package io.portmesh.cluster;

import io.netty.handler.ssl.SslContext;
import io.portmesh.cluster.bootstrap.RegisteredHealth;
import io.portmesh.cluster.health.ControllerHealth;
import io.portmesh.cluster.health.JournalProbe;
import io.portmesh.cluster.health.Rebalancing;
import io.portmesh.cluster.membership.DeadMemberDowning;
import io.portmesh.cluster.membership.OneWayFaultDowning;
import io.portmesh.cluster.rest.RestServer;
import io.portmesh.cluster.rest.RestSettings;
import io.portmesh.openflow.OfRole;
import io.portmesh.openflow.OfServer;
import io.portmesh.openflow.tls.OfTlsFiles;
import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.metrics.NodeMetrics;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.registry.TunnelIpRegistryEntity;
import io.portmesh.sharding.service.MeteredNetworkService;
import io.portmesh.sharding.service.NetworkService;
import io.portmesh.sharding.service.ShardedNetworkService;
import io.portmesh.sharding.southbound.SouthboundListener;
import io.portmesh.sharding.view.TopologyProjection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller node: the entities' shard regions, the read-side view, the REST API and the OpenFlow server, on an
 * ActorSystem the caller made (so that tests can run three nodes in one JVM). Coordinated shutdown stops accepting
 * agents and requests before the node leaves the cluster.
 */
public final class ControllerNode {
    private static final Logger log = LoggerFactory.getLogger(ControllerNode.class);
    private final ActorSystem<?> system;
    private final NetworkService service;
    private final OfServer openflow;
    private final ServerBinding http;

    private final JournalProbe journal;

    private ControllerNode(
            ActorSystem<?> system,
            NetworkService service,
            OfServer openflow,
            ServerBinding http,
            JournalProbe journal) {
        this.system = system;
        this.service = service;
        this.openflow = openflow;
        this.http = http;
        this.journal = journal;
    }

    public static ControllerNode init(ActorSystem<?> system, ControllerSettings s) {
        // first: a tokens file or certificate that cannot be read stops the node before it binds or joins anything
        RestSettings rest = restSettings(s).withSecurityOf(system.settings().config());
        SslContext openflowTls = openflowTls(s); // unusable OpenFlow TLS files stop the node too
        HostEntity.init(system, s.realizeTimeout(), s.askTimeout());
        LogicalSwitchEntity.init(system, s.askTimeout(), s.realizeTimeout());
        LogicalPortEntity.init(
                system,
                s.askTimeout(),
                s.realizeTimeout(),
                system.settings().config().getDuration("portmesh.controller.move-timeout"));
        VniRegistryEntity.init(system);
        TunnelIpRegistryEntity.init(system);
        NetworkService service = new MeteredNetworkService(
                new ShardedNetworkService(
                        system, TopologyProjection.start(system), s.askTimeout(), s.realizeTimeout(), s.warmPortIds()),
                NodeMetrics.get(system));
        JournalProbe journal = JournalProbe.start(system);
        DeadMemberDowning.start(system);
        OneWayFaultDowning.start(system);
        try {
            OfServer of = OfServer.builder(
                            OfRole.CONTROLLER,
                            new SouthboundListener(system, s.announceInterval(), openflowTls != null))
                    .config(s.openflow())
                    .sslContext(openflowTls)
                    .bind(new InetSocketAddress(s.openflowHost(), s.openflowPort()));
            ControllerHealth health = new ControllerHealth(system, journal, of::isListening, Rebalancing.start(system));
            // the management port's /ready (Kubernetes mode) asks the same health as the REST port's
            RegisteredHealth.get(system).register(health);
            ServerBinding http = RestServer.start(system, s.httpHost(), s.httpPort(), service, rest, health)
                    .toCompletableFuture()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            ControllerNode node = new ControllerNode(system, service, of, http, journal);
            node.registerShutdown();
            log.info(
                    "controller node {} ready: REST {} OpenFlow {}",
                    system.address(),
                    http.localAddress(),
                    of.localAddress());
            return node;
        } catch (Exception e) {
            journal.close();
            throw new IllegalStateException("controller node could not bind its ports: " + e, e);
        }
    }

    /** The OpenFlow server's TLS context, or null for plain TCP (with a warning: agents are then who they say). */
    private static SslContext openflowTls(ControllerSettings s) {
        if (s.openflowTls().isEmpty()) {
            log.warn(
                    "OpenFlow on {}:{} is plain TCP and unauthenticated: any process that reaches it can claim to be any"
                            + " host's agent and take its switch (portmesh.controller.openflow.tls, README 'OpenFlow TLS')",
                    s.openflowHost(),
                    s.openflowPort());
            return null;
        }
        OfTlsFiles files = s.openflowTls().get();
        log.info("OpenFlow TLS on: agents need a certificate of {} naming their host and slot ({})", files.ca(), files);
        return files.serverContext();
    }

    private void registerShutdown() {
        CoordinatedShutdown cs = CoordinatedShutdown.get(system);
        cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "portmesh-unbind", () -> {
            journal.close();
            return http.unbind().thenApply(x -> Done.getInstance());
        });
        // The agents' connections close only after this node's shards were handed off and it left the cluster: the
        // Host entities here keep their local master connections until they stop, and their next incarnations elect
        // once. Closing OpenFlow first (as this did until issue 18) made every Host here lose its master and elect a
        // remote connection with a new generation, and then its next incarnation elect again: two elections and a
        // window without a master per host at every rolling restart.
        cs.addTask(CoordinatedShutdown.PhaseClusterExitingDone(), "portmesh-openflow-close", () -> {
            openflow.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
        });
        cs.addTask(
                CoordinatedShutdown.PhaseServiceRequestsDone(),
                "portmesh-drain",
                () -> http.terminate(Duration.ofSeconds(3)).thenApply(x -> Done.getInstance()));
    }

    public NetworkService service() {
        return service;
    }

    public InetSocketAddress httpAddress() {
        return http.localAddress();
    }

    public InetSocketAddress openflowAddress() {
        return openflow.localAddress();
    }

    public ActorSystem<?> system() {
        return system;
    }

    /** Leaves the cluster and stops the ActorSystem (the same path as SIGTERM). */
    public CompletableFuture<Done> shutdown() {
        return CoordinatedShutdown.get(system)
                .runAll(CoordinatedShutdown.unknownReason())
                .toCompletableFuture();
    }

    /**
     * The REST layer answers 503 by itself only after the slowest change an entity answers for itself (a port's
     * client timeout with realization awaited) and a margin: otherwise the entity's own, more precise answer ("not
     * applied, being rolled back", "will complete") would lose the race to a generic one.
     */
    static RestSettings restSettings(ControllerSettings s) {
        Duration slowest = LogicalPortEntity.clientTimeout(s.askTimeout(), s.realizeTimeout(), true);
        Duration timeout = slowest.plusSeconds(5);
        return new RestSettings(
                RestSettings.DEFAULTS.maxBodyBytes(),
                timeout.compareTo(RestSettings.DEFAULTS.requestTimeout()) > 0
                        ? timeout
                        : RestSettings.DEFAULTS.requestTimeout());
    }
}
