package io.portmesh.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import io.portmesh.agent.control.AgentSettings;
import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.agent.control.DnsControllerResolver;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;

/**
 * {@code portmesh-agent}: reads the HOCON configuration (and the options that override it) and runs one datapath
 * agent until it is stopped.
 */
@CommandLine.Command(
        name = "portmesh-agent",
        mixinStandardHelpOptions = true,
        description = "Runs a Portmesh datapath agent (an OpenFlow 1.3 software switch).")
public final class AgentMain implements Callable<Integer> {
    @CommandLine.Option(
            names = "--config",
            description = "HOCON file (portmesh.agent { ... }); defaults apply for what it omits")
    File config;

    @CommandLine.Option(names = "--host", description = "host id as registered with the controller")
    String host;

    @CommandLine.Option(names = "--slot", description = "a (active) or b (standby)")
    String slot;

    @CommandLine.Option(
            names = "--controller",
            description = "controller host:port, repeatable; a DNS name stands for every address it resolves to")
    List<String> controllers;

    @CommandLine.Option(
            names = "--controllers-resolve-interval",
            description = "how often controller names are looked up again (HOCON duration, default 10s)")
    String controllersResolveInterval;

    @CommandLine.Option(names = "--listen", description = "also accept OpenFlow connections on host:port (like ptcp:)")
    String listen;

    @CommandLine.Option(
            names = "--listen-access",
            description = "read-only (default) or read-write: may listen-port connections change flows?")
    String listenAccess;

    @CommandLine.Option(names = "--trunk", description = "UDP host:port of the VM trunk pseudo-wire")
    String trunk;

    @CommandLine.Option(names = "--vxlan", description = "UDP host:port of the VXLAN endpoint")
    String vxlan;

    @CommandLine.Option(
            names = "--pair-listen",
            description = "UDP host:port of this agent's pair heartbeat (an HA host's two agents; with --pair-peer)")
    String pairListen;

    @CommandLine.Option(names = "--pair-peer", description = "UDP host:port of the other agent's pair heartbeat")
    String pairPeer;

    @CommandLine.Option(
            names = "--tls-certificate",
            description = "OpenFlow over mutual TLS: this agent's certificate chain, PEM (portmeshctl pki agent);"
                    + " with --tls-key and --tls-ca")
    String tlsCertificate;

    @CommandLine.Option(names = "--tls-key", description = "its private key, PKCS#8 PEM")
    String tlsKey;

    @CommandLine.Option(names = "--tls-ca", description = "the deployment CA's certificate, PEM (ca.crt)")
    String tlsCa;

    public static void main(String[] args) {
        // before any name lookup: the JVM reads its cache setting once (see DnsControllerResolver)
        DnsControllerResolver.turnOffJvmCache();
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        DatapathAgent agent = DatapathAgent.start(settings());
        System.out.println(
                "agent " + agent.settings().host() + "/" + agent.settings().slot() + " trunk="
                        + agent.trunkAddress() + " vxlan=" + agent.vxlanAddress()
                        + agent.listenAddress().map(a -> " listen=" + a).orElse(""));
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.ScheduledExecutorService stats = statsLog(agent);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stats != null) {
                stats.shutdownNow();
            }
            agent.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /**
     * With the system property {@value #STATS_LOG_MS} above 0, a line every that many milliseconds with what the
     * agent did: flow-mods applied, flows held, its pipeline's counters and each port's (for tests that must tell a
     * data-plane loss from its cause after the fact: a flow-mod that rewrote flows, a table miss, a port's drops).
     */
    private static java.util.concurrent.ScheduledExecutorService statsLog(DatapathAgent agent) {
        long ms = Long.getLong(STATS_LOG_MS, 0);
        if (ms <= 0) {
            return null;
        }
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("io.portmesh.agent.Stats");
        var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pm-agent-stats");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(
                () -> {
                    StringBuilder ports = new StringBuilder();
                    agent.ports()
                            .all()
                            .forEach(p -> ports.append(' ')
                                    .append(p.name())
                                    .append(p.isAdminUp() ? "(up)" : "(down)")
                                    .append('=')
                                    .append(p.stats()));
                    log.info(
                            "stats flowMods={} flows={} {}{} controllers({}) controllersRefusedNotNodes={}",
                            agent.flowModsApplied(),
                            agent.tables().flowCount(),
                            agent.pipeline().counters(),
                            ports,
                            agent.controllerNodes(),
                            agent.controllersRefusedNotNodes());
                },
                ms,
                ms,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        return timer;
    }

    /** System property: the interval of the agent's stats line in milliseconds (0, the default: none). */
    static final String STATS_LOG_MS = "portmesh.agent.stats-log-ms";

    /** The options over the HOCON file over reference.conf, as the agent runs with them. */
    AgentSettings settings() {
        Config base = config != null ? ConfigFactory.parseFile(config) : ConfigFactory.empty();
        Config c = overrides()
                .withFallback(base)
                .withFallback(ConfigFactory.load())
                .resolve();
        return AgentSettings.fromConfig(c);
    }

    private Config overrides() {
        StringBuilder h = new StringBuilder();
        if (host != null) {
            h.append("portmesh.agent.host=\"").append(host).append("\"\n");
        }
        if (slot != null) {
            h.append("portmesh.agent.slot=\"").append(slot).append("\"\n");
        }
        if (controllers != null) {
            h.append("portmesh.agent.controllers=[");
            controllers.forEach(x -> h.append('"').append(x).append("\","));
            h.append("]\n");
        }
        if (controllersResolveInterval != null) {
            h.append("portmesh.agent.controllers-resolve-interval=\"")
                    .append(controllersResolveInterval)
                    .append("\"\n");
        }
        if (listen != null) {
            h.append("portmesh.agent.listen=\"").append(listen).append("\"\n");
        }
        if (listenAccess != null) {
            h.append("portmesh.agent.listen-access=\"").append(listenAccess).append("\"\n");
        }
        if (trunk != null) {
            h.append("portmesh.agent.trunk.bind=\"").append(trunk).append("\"\n");
        }
        if (vxlan != null) {
            h.append("portmesh.agent.vxlan.bind=\"").append(vxlan).append("\"\n");
        }
        if (pairListen != null) {
            h.append("portmesh.agent.pair.listen=\"").append(pairListen).append("\"\n");
        }
        if (pairPeer != null) {
            h.append("portmesh.agent.pair.peer=\"").append(pairPeer).append("\"\n");
        }
        if (tlsCertificate != null || tlsKey != null || tlsCa != null) {
            if (tlsCertificate == null || tlsKey == null || tlsCa == null) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--tls-certificate, --tls-key and --tls-ca go together");
            }
            h.append("portmesh.agent.openflow.tls { enabled = on, certificate = ")
                    .append(ConfigUtil.quoteString(tlsCertificate))
                    .append(", key = ")
                    .append(ConfigUtil.quoteString(tlsKey))
                    .append(", ca = ")
                    .append(ConfigUtil.quoteString(tlsCa))
                    .append(" }\n");
        }
        return ConfigFactory.parseString(h.toString());
    }
}
