package io.portmesh.cluster.bootstrap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.portmesh.persistence.CassandraSessions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a controller node finds the others, by {@code portmesh.cluster.discovery}: {@code static} (the seed nodes of
 * {@code pekko.cluster.seed-nodes}: dev runs, tests, the demo) or {@code kubernetes} (Pekko Management's Cluster
 * Bootstrap lists the controller pods through the Kubernetes API; no seed nodes). It builds the node's configuration
 * for the mode and, in Kubernetes mode, starts the management HTTP server (bootstrap's contact point and the pod's
 * {@code /ready} and {@code /alive}) and the bootstrap.
 */
public final class ClusterDiscovery {
    private static final Logger log = LoggerFactory.getLogger(ClusterDiscovery.class);
    static final String MODE = "portmesh.cluster.discovery";
    static final String POD_IP = "portmesh.cluster.kubernetes.pod-ip";
    /** The Kubernetes mode's settings, layered under application.conf and over reference.conf. */
    static final String KUBERNETES_LAYER = "portmesh-kubernetes.conf";
    /** Several Cassandra nodes, {@code host:port,host:port}: the driver's contact points (and the schema's first). */
    public static final String CONTACT_POINTS_ENV = "PORTMESH_CASSANDRA_CONTACT_POINTS";

    public enum Mode {
        STATIC,
        KUBERNETES;

        static Mode of(Config c) {
            String value = c.getString(MODE);
            try {
                return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(MODE + " (PORTMESH_CLUSTER_DISCOVERY) is '" + value
                        + "'; it must be static (seed nodes from pekko.cluster.seed-nodes) or kubernetes (Cluster"
                        + " Bootstrap through the Kubernetes API)");
            }
        }
    }

    private ClusterDiscovery() {}

    /**
     * The node's configuration, resolved: {@code overrides} (command line options), then system properties, then
     * application.conf (or {@code -Dconfig.file}), then, in Kubernetes mode, portmesh-kubernetes.conf, then
     * reference.conf. {@value #CONTACT_POINTS_ENV}, when set, sits with the Kubernetes layer (in either mode).
     *
     * @throws IllegalArgumentException when the mode is unknown, Kubernetes mode has no pod IP, or a contact point in
     *     {@value #CONTACT_POINTS_ENV} is not host:port
     */
    public static Config load(Config overrides) {
        return load(overrides, System.getenv());
    }

    static Config load(Config overrides, Map<String, String> env) {
        ConfigFactory.invalidateCaches();
        Config above = overrides
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(ConfigFactory.defaultApplication());
        Config reference = ConfigFactory.defaultReferenceUnresolved();
        Config firstPass = above.withFallback(reference).resolve();
        Mode mode = Mode.of(firstPass);
        Config layer = contactPoints(env.get(CONTACT_POINTS_ENV));
        if (mode == Mode.KUBERNETES) {
            if (!firstPass.hasPath(POD_IP) || firstPass.getString(POD_IP).isBlank()) {
                throw new IllegalArgumentException(MODE + " = kubernetes needs this pod's IP to bind and advertise:"
                        + " set the environment variable POD_IP from the downward API (fieldRef status.podIP), or "
                        + POD_IP);
            }
            layer = layer.withFallback(ConfigFactory.parseResourcesAnySyntax(KUBERNETES_LAYER));
        }
        return above.withFallback(layer).withFallback(reference).resolve();
    }

    /** The Cassandra contact points of {@value #CONTACT_POINTS_ENV} as configuration; empty when it is not set. */
    static Config contactPoints(String value) {
        if (value == null || value.isBlank()) {
            return ConfigFactory.empty();
        }
        List<String> points = new ArrayList<>();
        for (String p : value.split(",")) {
            if (p.isBlank()) {
                continue;
            }
            try {
                // the driver wants host:port; a host alone gets Cassandra's 9042, as portmesh.cassandra.contact-point
                InetSocketAddress a = CassandraSessions.parseContactPoint(p);
                points.add(a.getHostString() + ":" + a.getPort());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        CONTACT_POINTS_ENV + " has '" + p.trim() + "', not a host:port (" + e.getMessage() + ")", e);
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(CONTACT_POINTS_ENV + " is '" + value + "': no host:port in it");
        }
        return ConfigFactory.empty()
                .withValue("portmesh.cassandra.contact-point", ConfigValueFactory.fromAnyRef(points.get(0)))
                .withValue("datastax-java-driver.basic.contact-points", ConfigValueFactory.fromIterable(points));
    }

    public static Mode mode(Config config) {
        return Mode.of(config);
    }

    /**
     * Kubernetes mode: starts Pekko Management (bound on the pod IP's management port) and Cluster Bootstrap, which
     * joins the cluster the other pods formed or forms it. Static mode: nothing (the seed nodes join by themselves).
     */
    public static void start(ActorSystem<?> system) {
        Config c = system.settings().config();
        if (mode(c) != Mode.KUBERNETES) {
            return;
        }
        try {
            var uri = PekkoManagement.get(system.classicSystem())
                    .start()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            log.info(
                    "Pekko Management on {}; bootstrapping from the pods labelled {}",
                    uri,
                    c.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Pekko Management could not bind "
                            + c.getString("pekko.management.http.hostname") + ":"
                            + c.getInt("pekko.management.http.port") + ": " + e,
                    e);
        }
        ClusterBootstrap.get(system.classicSystem()).start();
    }
}
