package io.portmesh.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portmesh.cluster.bootstrap.ClusterDiscovery;
import io.portmesh.cluster.bootstrap.ShutdownBudget;
import io.portmesh.cluster.bootstrap.SigtermLeave;
import io.portmesh.cluster.tls.ClusterTls;
import io.portmesh.persistence.CassandraSessions;
import io.portmesh.persistence.EmbeddedCassandra;
import io.portmesh.persistence.EmbeddedCassandraSettings;
import io.portmesh.persistence.SchemaInstallSetting;
import io.portmesh.persistence.SchemaInstaller;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code portmesh-controller}: reads the configuration (ClusterDiscovery: static seed nodes, or Kubernetes), makes
 * sure Cassandra answers (starting the embedded one for dev runs when nothing answers on a loopback contact point),
 * applies the schema when {@code portmesh.cassandra.schema.install} is auto (off: the node is not ready until it
 * exists), starts a node and, in Kubernetes mode, Pekko Management and Cluster Bootstrap. Nothing else. {@code
 * portmesh-controller schema install} installs the schema and exits (SchemaCommand).
 */
@CommandLine.Command(
        name = "portmesh-controller",
        mixinStandardHelpOptions = true,
        description = "Runs one Portmesh controller node.",
        subcommands = {SchemaCommand.class})
public final class ControllerMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ControllerMain.class);

    @CommandLine.Option(names = "--http-port", description = "REST port (portmesh.controller.http.port)")
    Integer httpPort;

    @CommandLine.Option(names = "--openflow-port", description = "OpenFlow port (portmesh.controller.openflow.port)")
    Integer openflowPort;

    @CommandLine.Option(
            names = "--remote-port",
            description = "Pekko remoting port (pekko.remote.artery.canonical.port)")
    Integer remotePort;

    @CommandLine.Option(
            names = "--seed",
            description = "seed node address, e.g. pekko://portmesh@127.0.0.1:2551 (repeatable)")
    java.util.List<String> seeds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ControllerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Config config = ClusterTls.apply(ClusterDiscovery.load(overrides()));
        if (config.getBoolean("portmesh.cassandra.embedded.enabled")) {
            // reuses a Cassandra that already answers; only starts one for dev runs on loopback
            new EmbeddedCassandra(EmbeddedCassandraSettings.fromConfig(config)).start();
        }
        if (SchemaInstallSetting.of(config) == SchemaInstallSetting.AUTO) {
            SchemaInstaller.installFromConfig(config);
        } else {
            log.info(
                    "{} = off: not installing the schema; this node is not ready until it exists",
                    SchemaInstallSetting.PATH);
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "portmesh", config);
        try {
            ControllerNode.init(system, ControllerSettings.fromConfig(config));
            // before bootstrap: a node whose shutdown would outlast the grace period never joins
            ShutdownBudget.check(system);
            SigtermLeave.install(system);
            ClusterDiscovery.start(system);
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
        system.getWhenTerminated().toCompletableFuture().join();
        return 0;
    }

    private Config overrides() {
        // a node process ends when its node leaves (SIGTERM: SigtermLeave, exit status 0; or downed by the split brain
        // resolver)
        StringBuilder hocon = new StringBuilder("pekko.coordinated-shutdown.exit-jvm = on\n");
        if (httpPort != null) {
            hocon.append("portmesh.controller.http.port=").append(httpPort).append('\n');
        }
        if (openflowPort != null) {
            hocon.append("portmesh.controller.openflow.port=")
                    .append(openflowPort)
                    .append('\n');
        }
        if (remotePort != null) {
            hocon.append("pekko.remote.artery.canonical.port=")
                    .append(remotePort)
                    .append('\n');
        }
        if (seeds != null && !seeds.isEmpty()) {
            hocon.append("pekko.cluster.seed-nodes=[");
            seeds.forEach(s -> hocon.append('"').append(s).append("\","));
            hocon.append("]\n");
        }
        return ConfigFactory.parseString(hocon.toString());
    }

    static String describe(Config c) {
        return CassandraSessions.parseContactPoint(c.getString("portmesh.cassandra.contact-point"))
                .toString();
    }
}
