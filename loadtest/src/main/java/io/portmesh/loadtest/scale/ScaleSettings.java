package io.portmesh.loadtest.scale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The scale run's scenario ({@code loadtest/scenarios/scale.conf}; keys in loadtest/README.md, section "scale"): how
 * many hosts, agents, switches and ports, how the ports spread, how many REST calls are in flight at once, where the
 * memory is measured and how long each phase may take. Bad values are refused here, with the key, before anything
 * starts.
 *
 * @param hostsPerSwitch how many hosts a switch's ports spread over (a binding's flows fan out to them)
 * @param concurrency REST calls in flight at once during bring-up (the rate the cluster takes, no more)
 * @param band ports per latency band: one histogram per band shows whether the realized latency grows with the count
 * @param memoryAt the port counts after which the memory is measured (0 is always measured)
 * @param eventLoops threads of each kind all agents share: OpenFlow I/O loops, control threads, UDP receive loops
 * @param controllerHeap the controller JVMs' -Xmx
 * @param echoInterval the OpenFlow echo interval of the controllers and the agents alike (both detect a silent peer
 *     after 4 of them): the default 200/300 ms would take the memory measurements' full GCs, a second or more of a
 *     stopped JVM here, for the death of every agent or node
 * @param heartbeatPause the nodes' {@code pekko.cluster.failure-detector.acceptable-heartbeat-pause}: at Pekko's 3 s
 *     the first full-size run lost a node during the memory measurement at 5,000 ports (its full GC on two cores
 *     already running 30 threads' worth of work; the other two marked it unreachable and it was downed)
 */
public record ScaleSettings(
        String name,
        int hosts,
        int agentsPerHost,
        int switches,
        int ports,
        int hostsPerSwitch,
        int concurrency,
        int band,
        List<Integer> memoryAt,
        int eventLoops,
        String controllerHeap,
        Duration echoInterval,
        Duration heartbeatPause,
        Duration setupTimeout,
        Duration maxRun) {

    private static final String DEFAULTS = """
            name = scale
            hosts = 1000
            agents-per-host = 2
            switches = 2000
            ports = 20000
            hosts-per-switch = 4
            concurrency = 16
            band = 1000
            memory-at = [5000, 10000, 20000]
            event-loops = 2
            controller-heap = 2g
            echo-interval = 1s
            heartbeat-pause = 10s
            setup-timeout = 10m
            max-run = 15m
            """;

    public ScaleSettings {
        require(hosts >= 1, "hosts", "must be >= 1");
        require(agentsPerHost == 1 || agentsPerHost == 2, "agents-per-host", "must be 1 or 2");
        require(switches >= 1, "switches", "must be >= 1");
        require(ports >= 0, "ports", "must be >= 0");
        require(hostsPerSwitch >= 1 && hostsPerSwitch <= hosts, "hosts-per-switch", "must be 1..hosts");
        require(concurrency >= 1 && concurrency <= 256, "concurrency", "must be 1..256");
        require(band >= 1, "band", "must be >= 1");
        require(echoInterval.toMillis() >= 10, "echo-interval", "must be >= 10ms");
        require(heartbeatPause.toMillis() >= 1000, "heartbeat-pause", "must be >= 1s");
        require(eventLoops >= 1, "event-loops", "must be >= 1");
        require(controllerHeap.matches("[0-9]+[mMgG]"), "controller-heap", "must look like 512m or 2g");
        for (int at : memoryAt) {
            require(at > 0 && at <= ports, "memory-at", "each count must be 1..ports: " + at);
        }
        memoryAt = memoryAt.stream().distinct().sorted().toList();
        // each agent has a loopback address of its own, 127.(60+slot).(i/250).(i%250+1): up to 50,000 hosts fit
        require(hosts <= 50_000, "hosts", "must be <= 50000 (one loopback address per agent)");
    }

    /** The scenario in {@code file}, with {@code overrides} ({@code key=value} lines) taking precedence. */
    public static ScaleSettings read(Path file, List<String> overrides) {
        try {
            return parse(Files.readString(file) + "\n" + String.join("\n", overrides));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A scenario from HOCON text; keys not given take the full-size defaults above. */
    public static ScaleSettings parse(String hocon) {
        Config c = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseString(DEFAULTS));
        try {
            return new ScaleSettings(
                    c.getString("name"),
                    c.getInt("hosts"),
                    c.getInt("agents-per-host"),
                    c.getInt("switches"),
                    c.getInt("ports"),
                    c.getInt("hosts-per-switch"),
                    c.getInt("concurrency"),
                    c.getInt("band"),
                    c.getIntList("memory-at"),
                    c.getInt("event-loops"),
                    c.getString("controller-heap"),
                    c.getDuration("echo-interval"),
                    c.getDuration("heartbeat-pause"),
                    c.getDuration("setup-timeout"),
                    c.getDuration("max-run"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("scale scenario: " + e.getMessage(), e);
        }
    }

    public int agents() {
        return hosts * agentsPerHost;
    }

    /** The switch port {@code k} (0-based) goes to: ports go round the switches, so every switch grows evenly. */
    public int switchOf(int k) {
        return k % switches;
    }

    /**
     * The host port {@code k} is bound on: switch s spans hosts s, s+1, .. s+hostsPerSwitch-1 (mod hosts), its
     * successive ports going round them; every host gets about ports/hosts ports and switches*hostsPerSwitch/hosts
     * switches.
     */
    public int hostOf(int k) {
        int s = switchOf(k);
        int round = k / switches;
        return (int) (((long) s * hosts / switches + round % hostsPerSwitch) % hosts);
    }

    private static void require(boolean ok, String key, String what) {
        if (!ok) {
            throw new IllegalArgumentException("scale scenario: " + key + " " + what);
        }
    }
}
