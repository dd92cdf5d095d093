package io.portmesh.agent.control;

import io.portmesh.openflow.OfClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's OpenFlow clients, one per controller node, kept in line with what {@code portmesh.agent.controllers}
 * stands for now (docs/architecture.md, "Agents find every node"). An IP entry is one node for good. A name entry
 * (e.g. {@code portmesh-controller.portmesh.svc:6653}, a Kubernetes headless Service, or any DNS name with one address
 * per node) is every address it resolves to: it is resolved again every {@code controllers-resolve-interval} and soon
 * after any controller connection is lost (a node that moved is found at its new address); a new address gets a
 * client, and the client of an address no longer listed is closed. Nothing else changes: the other connections keep
 * their sessions and roles, and forwarding never depends on a controller connection.
 *
 * <p>A name that does not resolve (a DNS outage, no pod ready) keeps the nodes it had: a client whose node is really
 * gone only retries with backoff, while dropping every node on one failed lookup would cut a working agent off.
 *
 * <p>Lookups block, so they run on a thread of their own, never on the agent's control or I/O threads; an agent with
 * IP entries only has no such thread and resolves nothing.
 */
public final class ControllerNodes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerNodes.class);

    /**
     * At most one lookup asked for by lost connections per this much time: a node that accepts connections and drops
     * them in a loop must not make the agent query DNS at that rate.
     */
    static final Duration MIN_GAP = Duration.ofMillis(500);

    /** How long {@link #start()} waits for the first lookups before it lets the agent run without them. */
    static final Duration FIRST_LOOKUP_WAIT = Duration.ofSeconds(30);

    /**
     * What the agent's controller node set did since start.
     *
     * @param nodes controller nodes the agent has a client for now (connected or retrying)
     * @param connected of those, connected now
     * @param lookups name lookups made
     * @param lookupFailures lookups that failed (the name's nodes were kept)
     * @param nodesAdded nodes given a client, the first ones included
     * @param nodesRemoved nodes whose client was closed because no entry lists them any more
     */
    public record Stats(
            int nodes, int connected, long lookups, long lookupFailures, long nodesAdded, long nodesRemoved) {
        @Override
        public String toString() {
            return "nodes=" + nodes + " connected=" + connected + " lookups=" + lookups + " lookupFailures="
                    + lookupFailures + " added=" + nodesAdded + " removed=" + nodesRemoved;
        }
    }

    private final String agent;
    private final List<InetSocketAddress> configured;
    private final ControllerResolver resolver;
    private final Duration interval;
    private final Function<InetSocketAddress, OfClient> connect;
    /** Null when every entry is an IP: nothing to look up. */
    private final ScheduledExecutorService lookups;

    private final Map<InetSocketAddress, OfClient> clients = new ConcurrentHashMap<>();
    /** Each name entry's addresses at its last successful lookup (lookup thread only). */
    private final Map<InetSocketAddress, Set<InetSocketAddress>> lastResolved = new HashMap<>();
    /** Names whose last lookup failed: the first failure of a streak is a warning, the rest debug (lookup thread). */
    private final Set<String> failing = new HashSet<>();

    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile long lastRefreshNanos;
    private final LongAdder lookupCount = new LongAdder();
    private final LongAdder lookupFailures = new LongAdder();
    private final LongAdder added = new LongAdder();
    private final LongAdder removed = new LongAdder();
    private boolean closed; // guarded by this

    /**
     * @param agent who is speaking in the log ({@code host/slot})
     * @param configured the entries: resolved addresses (IPs) and unresolved ones (names, see {@link
     *     AgentSettings#controllerAddress})
     * @param connect starts a client for one node's address
     */
    ControllerNodes(
            String agent,
            List<InetSocketAddress> configured,
            ControllerResolver resolver,
            Duration interval,
            Function<InetSocketAddress, OfClient> connect) {
        this.agent = agent;
        this.configured = List.copyOf(configured);
        this.resolver = resolver;
        this.interval = interval;
        this.connect = connect;
        this.lookups = configured.stream().anyMatch(InetSocketAddress::isUnresolved)
                ? Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "agent-lookup-" + agent);
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    /** Connects to every node the entries stand for now, then keeps that up to date. */
    void start() {
        if (lookups == null) {
            apply(new LinkedHashSet<>(configured));
            return;
        }
        try {
            lookups.submit(this::refresh).get(FIRST_LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "agent {}: controller lookups unanswered after {}; starting without them",
                    agent,
                    FIRST_LOOKUP_WAIT);
        } catch (ExecutionException e) {
            throw new IllegalStateException("agent " + agent + ": first controller lookup failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("agent " + agent + ": interrupted during the first controller lookup", e);
        }
        long every = interval.toNanos();
        lookups.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.NANOSECONDS);
    }

    /**
     * A controller connection was lost (not closed by the agent): look the names up again soon, at most once per
     * {@link #MIN_GAP}, since the node may have moved to another address. Any thread; returns at once.
     */
    void connectionLost() {
        if (lookups == null || !refreshQueued.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastRefreshNanos + MIN_GAP.toNanos() - System.nanoTime());
        try {
            lookups.schedule(this::refresh, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            log.debug("agent {} closed: no lookup after a lost connection", agent);
        }
    }

    /**
     * On the lookup thread: every name looked up, then clients started and closed to match. It never throws: a
     * periodic task that throws is never run again.
     */
    private void refresh() {
        refreshQueued.set(false);
        lastRefreshNanos = System.nanoTime();
        try {
            Set<InetSocketAddress> want = new LinkedHashSet<>();
            for (InetSocketAddress entry : configured) {
                want.addAll(entry.isUnresolved() ? lookUp(entry) : Set.of(entry));
            }
            apply(want);
        } catch (RuntimeException e) {
            log.warn("agent {}: controller node update failed, next try in {}: {}", agent, interval, e.toString());
        }
    }

    private Set<InetSocketAddress> lookUp(InetSocketAddress entry) {
        String name = entry.getHostString();
        lookupCount.increment();
        try {
            List<InetAddress> found = resolver.resolve(name);
            if (found.isEmpty()) {
                throw new UnknownHostException(name + ": the resolver returned no address");
            }
            Set<InetSocketAddress> now = found.stream()
                    .map(a -> new InetSocketAddress(a, entry.getPort()))
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            if (failing.remove(name)) {
                log.info("agent {}: controller name {} resolves again: {}", agent, name, now);
            }
            lastResolved.put(entry, now);
            return now;
        } catch (UnknownHostException | RuntimeException e) {
            lookupFailures.increment();
            Set<InetSocketAddress> kept = lastResolved.getOrDefault(entry, Set.of());
            if (failing.add(name)) {
                log.warn(
                        "agent {}: controller name {} does not resolve ({}); keeping its nodes {}",
                        agent,
                        name,
                        e.toString(),
                        kept);
            } else {
                log.debug("agent {}: controller name {} still does not resolve ({})", agent, name, e.toString());
            }
            return kept;
        }
    }

    /**
     * Starts a client for every address in {@code want} that has none and closes the clients of the addresses not in
     * it. Closing one client closes its connection only ({@code onDisconnected(c, null)}, and the agent's role table
     * forgets it); it waits for that connection to close, on the lookup thread.
     */
    private synchronized void apply(Set<InetSocketAddress> want) {
        if (closed) {
            return;
        }
        for (var it = clients.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!want.contains(e.getKey())) {
                it.remove();
                removed.increment();
                log.info("agent {}: controller node removed {}, now {} nodes {}", agent, e.getKey(), want.size(), want);
                e.getValue().close();
            }
        }
        for (InetSocketAddress a : want) {
            if (!clients.containsKey(a)) {
                clients.put(a, connect.apply(a));
                added.increment();
                log.info("agent {}: controller node added {}, now {} nodes {}", agent, a, want.size(), want);
            }
        }
    }

    /** Controller nodes connected now (their handshake done). */
    public int connected() {
        return (int) clients.values().stream().filter(OfClient::isConnected).count();
    }

    /** The addresses of the nodes the agent has a client for now, connected or retrying. */
    public Set<InetSocketAddress> nodes() {
        return Set.copyOf(clients.keySet());
    }

    public Stats stats() {
        return new Stats(
                clients.size(), connected(), lookupCount.sum(), lookupFailures.sum(), added.sum(), removed.sum());
    }

    /** Stops looking up and closes every client. */
    @Override
    public void close() {
        if (lookups != null) {
            lookups.shutdownNow();
        }
        synchronized (this) {
            closed = true;
            clients.values().forEach(OfClient::close);
            clients.clear();
        }
    }
}
