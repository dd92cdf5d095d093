package io.portmesh.loadtest.faults;

import io.portmesh.agent.control.ControllerRoles;
import io.portmesh.agent.control.DatapathAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Reads every agent's role table ({@link DatapathAgent#controllerRoles()}) at a fixed interval, on a thread of its own,
 * and keeps every reading: who was MASTER with which generation, and what each controller had applied or had refused
 * so far. The questions a node-loss test asks (two masters at once? did a deposed controller write after its
 * successor was granted?) are answered from the readings afterwards.
 */
public final class MastershipWatch implements AutoCloseable {
    /** At most this many readings per agent are kept (about an hour at 50 ms); later ones are dropped and counted. */
    private static final int MAX_READINGS = 72_000;

    /** One agent's role table at {@code atNanos} (System.nanoTime). */
    public record Reading(long atNanos, String host, ControllerRoles roles) {
        /** The port of the controller whose connection is MASTER, if any. */
        public Optional<Integer> masterPort() {
            return roles.controllers().stream()
                    .filter(ControllerRoles.Controller::isMaster)
                    .map(c -> c.address().getPort())
                    .findFirst();
        }

        /** The controller at {@code port} as this reading has it. */
        public Optional<ControllerRoles.Controller> controller(int port) {
            return roles.controllers().stream()
                    .filter(c -> c.address().getPort() == port)
                    .findFirst();
        }
    }

    private final Map<String, DatapathAgent> agents;
    private final long intervalNanos;
    private final List<Reading> readings = new ArrayList<>(); // guarded by itself
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long dropped;
    private volatile String failure;

    private MastershipWatch(Map<String, DatapathAgent> agents, Duration interval) {
        this.agents = Map.copyOf(agents);
        this.intervalNanos = interval.toNanos();
        this.thread = new Thread(this::run, "mastership-watch");
        this.thread.setDaemon(true);
    }

    /** Starts reading {@code agents} (by host) every {@code interval}. */
    public static MastershipWatch start(Map<String, DatapathAgent> agents, Duration interval) {
        MastershipWatch w = new MastershipWatch(agents, interval);
        w.thread.start();
        return w;
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            for (Map.Entry<String, DatapathAgent> e : agents.entrySet()) {
                try {
                    ControllerRoles roles = e.getValue().controllerRoles();
                    Reading r = new Reading(System.nanoTime(), e.getKey(), roles);
                    synchronized (readings) {
                        if (readings.size() < MAX_READINGS * agents.size()) {
                            readings.add(r);
                        } else {
                            dropped++;
                        }
                    }
                } catch (RuntimeException ex) {
                    failure = e.getKey() + ": " + ex;
                }
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime(); // late (a loaded machine): no burst to catch up
            }
        }
    }

    /** Every reading so far, in time order per agent. */
    public List<Reading> readings() {
        synchronized (readings) {
            return List.copyOf(readings);
        }
    }

    public List<Reading> readings(String host) {
        return readings().stream().filter(r -> r.host().equals(host)).toList();
    }

    /** The readings in which an agent had more than one MASTER connection. */
    public List<Reading> twoMasters() {
        return readings().stream().filter(r -> r.roles().masters() > 1).toList();
    }

    /** The latest reading of {@code host}, if any. */
    public Optional<Reading> latest(String host) {
        List<Reading> mine = readings(host);
        return mine.isEmpty() ? Optional.empty() : Optional.of(mine.get(mine.size() - 1));
    }

    /** The first reading of {@code host} at or after {@code fromNanos} whose MASTER's port passes {@code port}. */
    public Optional<Reading> firstMaster(String host, long fromNanos, IntPredicate port) {
        return readings(host).stream()
                .filter(r -> r.atNanos() - fromNanos >= 0)
                .filter(r -> r.masterPort().map(port::test).orElse(false))
                .findFirst();
    }

    /** The gaps between consecutive readings of one agent, longest first (the watch's own resolution). */
    public long longestGapNanos() {
        long longest = 0;
        for (String host : agents.keySet()) {
            List<Reading> mine = readings(host);
            for (int i = 1; i < mine.size(); i++) {
                longest = Math.max(
                        longest, mine.get(i).atNanos() - mine.get(i - 1).atNanos());
            }
        }
        return longest;
    }

    /** Why a reading failed last (an agent that did not answer), or null. */
    public String failure() {
        return failure;
    }

    public long dropped() {
        return dropped;
    }

    /** The hosts watched. */
    public List<String> hosts() {
        return new ArrayList<>(agents.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
