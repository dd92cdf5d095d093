package io.portmesh.loadtest.harness;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A scenario file (HOCON, keys documented in loadtest/README.md): what to start, what load to drive, which faults to
 * inject when, and the SLOs the run must meet. Read strictly: an unknown fault kind, a size this slice cannot run (not
 * 3 nodes, not 1 agent per host) or a fault with no time is refused with the key that is wrong, rather than ignored.
 */
public record Scenario(
        String name,
        String description,
        long seed,
        Duration warmUp,
        Duration duration,
        Duration maxRun,
        Duration setupTimeout,
        Duration settleTimeout,
        String cassandra,
        int nodes,
        int hosts,
        int agentsPerHost,
        int agentProcesses,
        int switches,
        int vmPairs,
        int frameRate,
        double createBindRate,
        double churnRate,
        double broadcastRate,
        int inFlight,
        List<MoveSpec> moves,
        List<FaultSpec> faults,
        List<Slo> slos) {

    /** The fault kinds the runner can inject in this slice. */
    public enum Kind {
        NODE_KILL("node-kill"),
        /**
         * SIGTERM to a controller node (coordinated shutdown: it leaves the cluster, its shards hand over), started
         * again on its ports {@code restart-after} later (at once when absent); the fault ends when all three nodes are
         * Up and ready again. A rolling restart is one such fault per node, spaced further apart than a restart takes.
         */
        NODE_RESTART("node-restart"),
        /** SIGKILL to the runner's own embedded Cassandra, started again on its data after {@code restart-after}. */
        CASSANDRA_STOP("cassandra-stop"),
        /**
         * SIGKILL to a host's agent, which runs in a JVM of its own ({@code fabric.agent-processes}), started again
         * with the same options {@code restart-after} later; the target is a host index.
         */
        AGENT_KILL("agent-kill"),
        /**
         * A controller node cut off from the other two both ways (iptables on their Artery ports) for {@code
         * heal-after}, then healed; the node downs itself meanwhile (its split brain resolver) and is started again
         * once it has exited. Skipped, with the reason, where iptables cannot do it.
         */
        PARTITION("partition"),
        /**
         * Every OpenFlow connection of a host's agent reset ({@code ss -K} on the agent's end: the node gets a RST),
         * agent and nodes running on; the agent reconnects by itself. The target is a host index (any host).
         */
        AGENT_DISCONNECT("agent-disconnect"),
        /**
         * A slow or lossy link: every access link of a host's VMs (their wires to its trunk, both ways) drops {@code
         * loss} of the frames and delays each by {@code delay} for {@code heal-after} ({@link LinkSpec},
         * {@link LinkFaults}). The target is a host index (any host).
         */
        LINK("link");

        public final String key;

        Kind(String key) {
            this.key = key;
        }

        /** Whether the fault's target is a host (its agent) rather than a controller node. */
        public boolean onHost() {
            return this == AGENT_KILL || this == AGENT_DISCONNECT || this == LINK;
        }

        static Kind of(String key, String where) {
            for (Kind k : values()) {
                if (k.key.equals(key)) {
                    return k;
                }
            }
            throw new ConfigException.BadValue(
                    where,
                    "'" + key
                            + "' is not a fault kind this runner injects (known: node-kill, node-restart, cassandra-stop,"
                            + " agent-kill, partition, agent-disconnect, link)");
        }
    }

    /** When a fault fires. */
    public sealed interface When {
        /** Once, {@code at} after the load started. */
        record At(Duration at) implements When {}

        /** Every {@code every} from {@code from} until {@code until}. */
        record Every(Duration every, Duration from, Duration until) implements When {}

        /** {@code count} times at instants drawn from the seed, uniformly in [from, until). */
        record Random(int count, Duration from, Duration until) implements When {}
    }

    /**
     * One fault line: its kind, when, on which target ({@code random}: drawn from the seed, else a 0-based index),
     * when the victim is brought back ({@code restartAfter}; null: never), and the frame-loss window it is allowed
     * from the instant it fires (0 for node loss). {@code healAfter}: how long a partition or a link fault lasts
     * (those only); {@code link}: a link fault's loss and delay (null for the other kinds).
     */
    public record FaultSpec(
            Kind kind,
            When when,
            String target,
            Duration restartAfter,
            Duration allowedLoss,
            Duration healAfter,
            String slot,
            LinkSpec link) {
        public FaultSpec(Kind kind, When when, String target, Duration restartAfter, Duration allowedLoss) {
            this(kind, when, target, restartAfter, allowedLoss, null, ACTIVE, null);
        }
    }

    /** An agent-kill's default {@code slot} on a pair host: the agent that forwards. */
    public static final String ACTIVE = "active";

    /** The {@code slot} values of an agent-kill: which agent of a pair host it kills. */
    static final List<String> SLOTS = List.of("a", "b", ACTIVE, "standby");

    /**
     * A line of live moves ({@code workloads.moves}): when its rounds start (as a fault's {@code at}, {@code every} or
     * {@code random}), how many VMs of the VM pairs move in each round at once ({@code concurrent}), and how long one
     * move may take from its start to its end ({@code timeout}) before it counts as failed.
     */
    public record MoveSpec(When when, int concurrent, Duration timeout) {}

    /** A figure's bound: {@code max} (the figure must be at most) or {@code min} (at least); NaN for none. */
    public record Slo(String figure, double max, double min) {
        public boolean met(double value) {
            return !Double.isNaN(value) && (Double.isNaN(max) || value <= max) && (Double.isNaN(min) || value >= min);
        }

        public String describe() {
            return figure + (Double.isNaN(max) ? "" : " <= " + max) + (Double.isNaN(min) ? "" : " >= " + min);
        }
    }

    public static Scenario read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no scenario file " + file);
        }
        String fallbackName = file.getFileName().toString().replaceFirst("\\.conf$", "");
        return parse(ConfigFactory.parseFile(file.toFile()).resolve(), fallbackName);
    }

    public static Scenario parse(String hocon) {
        return parse(ConfigFactory.parseString(hocon).resolve(), "unnamed");
    }

    static Scenario parse(Config c, String fallbackName) {
        Config d = c.withFallback(ConfigFactory.parseString(DEFAULTS));
        List<FaultSpec> faults = new ArrayList<>();
        int i = 0;
        for (Config f : d.getConfigList("faults")) {
            faults.add(fault(f, "faults[" + i++ + "]"));
        }
        List<MoveSpec> moves = new ArrayList<>();
        i = 0;
        for (Config m : d.getConfigList("workloads.moves")) {
            String where = "workloads.moves[" + i++ + "]";
            moves.add(new MoveSpec(
                    when(m, where),
                    m.hasPath("concurrent") ? m.getInt("concurrent") : 1,
                    m.hasPath("timeout") ? m.getDuration("timeout") : Duration.ofSeconds(30)));
        }
        List<Slo> slos = new ArrayList<>();
        Config s = d.getConfig("slo");
        for (String key : new java.util.TreeSet<>(s.root().keySet())) {
            Config one = s.getConfig("\"" + key + "\"");
            slos.add(new Slo(
                    key,
                    one.hasPath("max") ? one.getDouble("max") : Double.NaN,
                    one.hasPath("min") ? one.getDouble("min") : Double.NaN));
        }
        Scenario sc = new Scenario(
                d.getString("name").isEmpty() ? fallbackName : d.getString("name"),
                d.getString("description"),
                d.getLong("seed"),
                d.getDuration("warm-up"),
                d.getDuration("duration"),
                d.getDuration("max-run"),
                d.getDuration("setup-timeout"),
                d.getDuration("settle-timeout"),
                d.getString("cassandra"),
                d.getInt("cluster.nodes"),
                d.getInt("fabric.hosts"),
                d.getInt("fabric.agents-per-host"),
                d.getInt("fabric.agent-processes"),
                d.getInt("fabric.switches"),
                d.getInt("fabric.vm-pairs"),
                d.getInt("fabric.frame-rate"),
                d.getDouble("workloads.create-bind.rate"),
                d.getDouble("workloads.churn.rate"),
                d.getDouble("workloads.broadcast.rate"),
                d.getInt("workloads.in-flight"),
                List.copyOf(moves),
                List.copyOf(faults),
                List.copyOf(slos));
        sc.validate();
        return sc;
    }

    private static FaultSpec fault(Config f, String where) {
        Kind kind = Kind.of(f.getString("kind"), where + ".kind");
        When when = when(f, where);
        String target = f.hasPath("target")
                ? (f.getValue("target").valueType() == ConfigValueType.NUMBER
                        ? String.valueOf(f.getInt("target"))
                        : f.getString("target"))
                : "random";
        return new FaultSpec(
                kind,
                when,
                target,
                f.hasPath("restart-after") ? f.getDuration("restart-after") : null,
                f.hasPath("allowed-loss") ? f.getDuration("allowed-loss") : Duration.ZERO,
                f.hasPath("heal-after") ? f.getDuration("heal-after") : null,
                f.hasPath("slot") ? f.getString("slot") : ACTIVE,
                LinkSpec.read(f));
    }

    /** A fault's or a move line's time: exactly one of {@code at}, {@code every} or {@code random}. */
    private static When when(Config f, String where) {
        Duration from = f.hasPath("from") ? f.getDuration("from") : Duration.ZERO;
        Duration until = f.hasPath("until") ? f.getDuration("until") : null;
        if (f.hasPath("at")) {
            return new When.At(f.getDuration("at"));
        } else if (f.hasPath("every")) {
            return new When.Every(f.getDuration("every"), from, until);
        } else if (f.hasPath("random")) {
            return new When.Random(f.getInt("random"), from, until);
        }
        throw new ConfigException.Missing(where + ".at, .every or .random");
    }

    private void validate() {
        require(nodes == 3, "cluster.nodes", "this runner starts exactly 3 controller nodes (ControllerNodes)");
        require(
                agentsPerHost == 1 || agentsPerHost == 2 && agentProcesses >= 1,
                "fabric.agents-per-host",
                "1, or 2 with fabric.agent-processes at least 1 (an HA pair on each of those hosts)");
        require(hosts >= 2, "fabric.hosts", "at least 2 (a VM pair spans two hosts)");
        require(switches >= 1, "fabric.switches", "at least 1");
        require(vmPairs >= 0 && vmPairs <= 250, "fabric.vm-pairs", "0..250");
        require(createBindRate >= 0, "workloads.create-bind.rate", "0 or above");
        require(createBindRate + churnRate > 0, "workloads.create-bind.rate", "above 0 ops/s with churn.rate or alone");
        require(churnRate >= 0, "workloads.churn.rate", "0 (off) or above");
        require(inFlight >= 1 && inFlight <= 256, "workloads.in-flight", "1..256 ops in flight at most");
        require(broadcastRate >= 0 && broadcastRate <= 1000, "workloads.broadcast.rate", "0 (off) to 1000 frames/s");
        require(
                agentProcesses >= 0 && agentProcesses <= hosts,
                "fabric.agent-processes",
                "0.." + hosts + " (the first hosts whose agent runs in a JVM of its own)");
        require(duration.compareTo(maxRun) < 0, "duration", "shorter than max-run (" + maxRun + ")");
        for (MoveSpec m : moves) {
            require(
                    vmPairs >= 1 && hosts >= 3,
                    "workloads.moves",
                    "at least 1 VM pair and 3 hosts (a VM moves to a host that neither it nor its peer is on)");
            require(
                    m.concurrent() >= 1 && m.concurrent() <= 2 * vmPairs,
                    "workloads.moves.concurrent",
                    "1.." + 2 * vmPairs + " (the VMs of the VM pairs)");
            require(!m.timeout().isNegative() && !m.timeout().isZero(), "workloads.moves.timeout", "above 0");
            if (m.when() instanceof When.Every e) {
                require(!e.every().isZero() && !e.every().isNegative(), "workloads.moves.every", "above 0");
            }
        }
        faults.forEach(f -> FaultRules.check(this, f));
    }

    static void require(boolean ok, String key, String what) {
        if (!ok) {
            throw new ConfigException.BadValue(key, what);
        }
    }

    /**
     * How many targets a fault of {@code kind} draws from: hosts with an agent process (agent-kill), every host
     * (agent-disconnect, link), or controller nodes.
     */
    int targets(Kind kind) {
        return kind == Kind.AGENT_KILL ? agentProcesses : kind.onHost() ? hosts : nodes;
    }

    /** The scenario's SLO on {@code figure}, if it declares one. */
    public Optional<Slo> slo(String figure) {
        return slos.stream().filter(s -> s.figure.equals(figure)).findFirst();
    }

    /** The scenario as the report shows it (keys as in the file). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", description);
        m.put("seed", seed);
        m.put("warm-up", warmUp.toString());
        m.put("duration", duration.toString());
        m.put("max-run", maxRun.toString());
        m.put("setup-timeout", setupTimeout.toString());
        m.put("settle-timeout", settleTimeout.toString());
        m.put("cassandra", cassandra);
        m.put("cluster.nodes", nodes);
        m.put("fabric.hosts", hosts);
        m.put("fabric.agents-per-host", agentsPerHost);
        m.put("fabric.agent-processes", agentProcesses);
        m.put("fabric.switches", switches);
        m.put("fabric.vm-pairs", vmPairs);
        m.put("fabric.frame-rate", frameRate);
        m.put("workloads.create-bind.rate", createBindRate);
        m.put("workloads.churn.rate", churnRate);
        m.put("workloads.broadcast.rate", broadcastRate);
        m.put("workloads.in-flight", inFlight);
        m.put("workloads.moves", moves.stream().map(Object::toString).toList());
        m.put("faults", faults.stream().map(Object::toString).toList());
        m.put("slo", slos.stream().map(Slo::describe).toList());
        return m;
    }

    /** A copy with another seed (the command line's --seed wins over the file's). */
    public Scenario withSeed(long s) {
        return with(s, cassandra);
    }

    /** A copy on another Cassandra ({@code embedded} or host:port). */
    public Scenario withCassandra(String contactPoint) {
        return with(seed, contactPoint);
    }

    private Scenario with(long s, String contactPoint) {
        return new Scenario(
                name,
                description,
                s,
                warmUp,
                duration,
                maxRun,
                setupTimeout,
                settleTimeout,
                contactPoint,
                nodes,
                hosts,
                agentsPerHost,
                agentProcesses,
                switches,
                vmPairs,
                frameRate,
                createBindRate,
                churnRate,
                broadcastRate,
                inFlight,
                moves,
                faults,
                slos);
    }

    static final String DEFAULTS = """
            name = ""
            description = ""
            seed = 1
            warm-up = 5s
            duration = 60s
            max-run = 10m
            setup-timeout = 180s
            settle-timeout = 60s
            cassandra = embedded
            cluster.nodes = 3
            fabric { hosts = 4, agents-per-host = 1, agent-processes = 0, switches = 4, vm-pairs = 2, frame-rate = 100 }
            workloads { create-bind.rate = 2, churn.rate = 0, broadcast.rate = 0, in-flight = 256, moves = [] }
            faults = []
            slo {}
            """;
}
