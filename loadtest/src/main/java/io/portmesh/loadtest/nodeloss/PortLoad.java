package io.portmesh.loadtest.nodeloss;

import com.fasterxml.jackson.databind.JsonNode;
import io.portmesh.loadtest.demo.RestClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A steady create+bind load through the REST API, as clients behind a load balancer that has not noticed a dead node
 * would make it: op k (issued on schedule, open loop) creates a port ({@code POST /v1/switches/{sw}/ports}) and binds it
 * ({@code PUT /v1/ports/{id}/binding?wait=realized}), first through node k mod 3 and after a failure through the next
 * node: a dead node refuses the connection and the op moves on at once, a 503 is retried after its Retry-After (at most
 * 5 s; 200 ms without one). Bounded: at most {@link #ATTEMPTS} calls per step and {@link #OP_LIMIT} per op. A create
 * retried after an answer that may have been applied (503, a cut connection, a timeout) uses a new MAC, so it cannot
 * collide with its own first attempt: the port that attempt may have made is not acknowledged and not checked. A bind
 * is retried as it is (binding a port to its host again is a repeat). Every call is recorded; an op is
 * <em>acknowledged</em> when its bind answered 2xx (200 realized, 202 persisted but not realized in time).
 */
public final class PortLoad implements AutoCloseable {
    public static final int ATTEMPTS = 8;
    public static final Duration OP_LIMIT = Duration.ofSeconds(45);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(35);

    /** How a call ended. */
    public enum Outcome {
        OK,
        /** 202: persisted, not realized within the realization timeout. */
        ACCEPTED,
        /** 503: an entity did not answer in time. */
        UNAVAILABLE,
        /** The connection was refused: nothing listens there (a dead or stopped node). */
        REFUSED,
        /** The connection broke with the request on it (a node that died or stopped meanwhile). */
        CUT,
        TIMEOUT,
        /** Any other status. */
        OTHER
    }

    /** One HTTP call of op {@code op}: what, to which node (0-based), when (nanoTime), how it ended. */
    public record Call(
            int op,
            String what,
            int node,
            long startNanos,
            long endNanos,
            int status,
            Outcome outcome,
            String retryAfter,
            String detail) {
        public boolean failed() {
            return outcome != Outcome.OK && outcome != Outcome.ACCEPTED;
        }
    }

    /** Where an op's port goes. */
    public record Target(String sw, String host) {}

    /**
     * Where an op leaves its port: bound (create+bind), or, for the churn workload, unbound again, or deleted (after
     * an unbind). Each step after the bind goes as the bind does: retried as it is through the next node.
     */
    public enum End {
        BOUND,
        UNBOUND,
        DELETED
    }

    /** One port's create and bind. Written by the op's thread; read once the load has stopped (or the op is done). */
    public static final class Op {
        public final int k;
        public final Target target;
        public final boolean extra;
        public volatile long startNanos;
        public volatile String port;
        public volatile String mac;
        public volatile long bindStartNanos = -1;
        public volatile long bindEndNanos = -1;
        public volatile int vlan = -1;
        public volatile boolean acked;
        public volatile boolean realized;
        public volatile String failure;
        public volatile boolean done;
        /** A bind call of this op failed (503, refused, cut...) before it was answered 2xx, if it was. */
        public volatile boolean bindFailedOnce;
        /** Where this op leaves its port ({@link End#BOUND} but for churn ops). */
        public final End end;
        /** Churn: the unbind and the delete, each tried (a call sent) and acknowledged (answered 2xx), and when. */
        public volatile boolean unbindTried;

        public volatile boolean unbound;
        public volatile boolean deleteTried;
        public volatile boolean deleted;
        public volatile long unbindStartNanos = -1;
        public volatile long unbindEndNanos = -1;
        public volatile long deleteStartNanos = -1;
        public volatile long deleteEndNanos = -1;

        Op(int k, Target target, boolean extra, End end) {
            this.k = k;
            this.target = target;
            this.extra = extra;
            this.end = end;
        }

        public double bindMs() {
            return (bindEndNanos - bindStartNanos) / 1e6;
        }
    }

    private final List<RestClient> apis;
    private final IntFunction<Target> layout;
    private IntFunction<End> ends = k -> End.BOUND;
    private final int macPrefix;
    private final List<Op> ops = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private final AtomicInteger macs = new AtomicInteger();
    private final AtomicInteger notIssued = new AtomicInteger();
    private final AtomicInteger extras = new AtomicInteger();
    private final ThreadPoolExecutor pool =
            new ThreadPoolExecutor(0, 256, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "port-load");
                t.setDaemon(true);
                return t;
            });
    private Thread issuer;
    private volatile boolean stopped;

    /**
     * @param apis one client per node, in node order (a node's address stays the same across its restarts)
     * @param layout where op k's port goes
     * @param macPrefix the fourth byte of every MAC of this load (52:54:18:pp:xx:xx), so that loads of one run differ
     */
    public PortLoad(List<RestClient> apis, IntFunction<Target> layout, int macPrefix) {
        this.apis =
                apis.stream().map(a -> new RestClient(a.base(), CALL_TIMEOUT)).toList();
        this.layout = layout;
        this.macPrefix = macPrefix & 0xFF;
    }

    /**
     * At most {@code n} ops in flight (default 256): an op due while that many run is not issued (counted in {@link
     * #notIssued}). With a rate above what the cluster takes, a small cap makes the load run as fast as the cluster
     * takes the ops without piling up hundreds of them. Set before {@link #start}.
     */
    public PortLoad inFlight(int n) {
        pool.setMaximumPoolSize(n);
        return this;
    }

    /** Where op k leaves its port (default: every op bound); set before {@link #start}. */
    public PortLoad ending(IntFunction<End> ends) {
        this.ends = ends;
        return this;
    }

    /** Issues {@code rate} ops per second until {@link #stop}, {@code maxOps} or {@code maxDuration}, whichever first. */
    public void start(double rate, int maxOps, Duration maxDuration) {
        long period = (long) (1e9 / rate);
        issuer = new Thread(
                () -> {
                    long start = System.nanoTime();
                    for (int k = 0; k < maxOps && !stopped; k++) {
                        long at = start + k * period;
                        if (at - start > maxDuration.toNanos()) {
                            return;
                        }
                        long wait;
                        while ((wait = at - System.nanoTime()) > 0 && !stopped) {
                            LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                        }
                        if (!stopped) {
                            submit(new Op(k, layout.apply(k), false, ends.apply(k)));
                        }
                    }
                },
                "port-load-issuer");
        issuer.setDaemon(true);
        issuer.start();
    }

    /**
     * One more op outside the schedule (k = -1, -2, ...: its first call goes to another node each time), e.g. a "new
     * port after the kill" probe; returns it at once.
     */
    public Op extra(Target target) {
        Op op = new Op(-1 - extras.getAndIncrement(), target, true, End.BOUND);
        submit(op);
        return op;
    }

    private void submit(Op op) {
        synchronized (ops) {
            ops.add(op);
        }
        op.startNanos = System.nanoTime();
        try {
            pool.execute(() -> run(op));
        } catch (RejectedExecutionException e) {
            op.failure = "not issued: " + pool.getMaximumPoolSize() + " ops in flight";
            op.done = true;
            notIssued.incrementAndGet();
        }
    }

    private void run(Op op) {
        long deadline = op.startNanos + OP_LIMIT.toNanos();
        int first = Math.floorMod(op.k, apis.size());
        try {
            JsonNode port = null;
            for (int a = 0; a < ATTEMPTS && port == null && System.nanoTime() - deadline < 0; a++) {
                String mac = mac(macs.getAndIncrement());
                op.mac = mac;
                port = call(
                        op,
                        "create",
                        first + a,
                        deadline,
                        api -> api.post("/v1/switches/" + op.target.sw() + "/ports", Map.of("mac", mac)));
            }
            if (port == null) {
                op.failure = op.failure == null ? "create not answered 2xx" : op.failure;
                return;
            }
            op.port = port.path("id").asText();
            op.bindStartNanos = System.nanoTime();
            JsonNode bound = step(
                    op,
                    "bind",
                    first,
                    deadline,
                    api -> api.put(
                            "/v1/ports/" + op.port + "/binding?wait=realized", Map.of("host", op.target.host())));
            if (bound == null) {
                return;
            }
            op.bindEndNanos = System.nanoTime();
            op.vlan = bound.path("vlan").asInt(-1);
            op.realized = bound.path("realization").path("realized").asBoolean(false);
            op.acked = true;
            if (op.end == End.BOUND) {
                return;
            }
            op.unbindTried = true;
            op.unbindStartNanos = System.nanoTime();
            if (step(
                            op,
                            "unbind",
                            first,
                            deadline,
                            api -> api.delete("/v1/ports/" + op.port + "/binding?wait=realized"))
                    == null) {
                return;
            }
            op.unbindEndNanos = System.nanoTime();
            op.unbound = true;
            if (op.end == End.UNBOUND) {
                return;
            }
            op.deleteTried = true;
            op.deleteStartNanos = System.nanoTime();
            if (step(op, "delete", first, deadline, api -> api.delete("/v1/ports/" + op.port + "?wait=realized"))
                    == null) {
                return;
            }
            op.deleteEndNanos = System.nanoTime();
            op.deleted = true;
        } catch (GiveUp e) {
            // op.failure says why
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            op.failure = "interrupted";
        } finally {
            op.done = true;
        }
    }

    /**
     * One step on an existing port (bind, unbind, delete), retried as it is through the next node, at most {@link
     * #ATTEMPTS} calls: its 2xx body, or null (the op's failure says why).
     */
    private JsonNode step(Op op, String what, int first, long deadline, Request req) throws InterruptedException {
        JsonNode body = null;
        for (int a = 0; a < ATTEMPTS && body == null && System.nanoTime() - deadline < 0; a++) {
            body = call(op, what, first + a, deadline, req);
        }
        if (body == null && op.failure == null) {
            op.failure = what + " not answered 2xx";
        }
        return body;
    }

    private interface Request {
        RestClient.Response send(RestClient api) throws IOException, InterruptedException;
    }

    /** One call; its body on 2xx, else null (after the pause a 503 asks for). A status that is no failure of ours ends the op. */
    private JsonNode call(Op op, String what, int node, long deadline, Request req) throws InterruptedException {
        int n = Math.floorMod(node, apis.size());
        long t = System.nanoTime();
        Call c;
        JsonNode body = null;
        try {
            RestClient.Response r = req.send(apis.get(n));
            Outcome o = r.status() == 202
                    ? Outcome.ACCEPTED
                    : r.ok() ? Outcome.OK : r.status() == 503 ? Outcome.UNAVAILABLE : Outcome.OTHER;
            c = new Call(
                    op.k,
                    what,
                    n,
                    t,
                    System.nanoTime(),
                    r.status(),
                    o,
                    r.retryAfter(),
                    r.ok() ? "" : r.body().toString());
            if (r.ok()) {
                body = r.body();
            }
        } catch (ConnectException e) {
            c = new Call(op.k, what, n, t, System.nanoTime(), 0, Outcome.REFUSED, null, e.toString());
        } catch (HttpTimeoutException e) {
            c = new Call(op.k, what, n, t, System.nanoTime(), 0, Outcome.TIMEOUT, null, e.toString());
        } catch (IOException e) {
            c = new Call(op.k, what, n, t, System.nanoTime(), 0, Outcome.CUT, null, e.toString());
        }
        synchronized (calls) {
            calls.add(c);
        }
        if (c.failed() && what.equals("bind")) {
            op.bindFailedOnce = true;
        }
        if (c.outcome() == Outcome.OTHER) {
            op.failure = what + ": " + c.status() + " " + c.detail();
            throw new GiveUp();
        }
        if (c.outcome() == Outcome.UNAVAILABLE) {
            long pause =
                    Math.min(retryAfterMillis(c.retryAfter()), Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            TimeUnit.MILLISECONDS.sleep(pause);
        }
        return body;
    }

    /** A refusal that is not a failure of availability: the op ends (and says why). */
    private static final class GiveUp extends RuntimeException {
        GiveUp() {
            super(null, null, false, false);
        }
    }

    private static long retryAfterMillis(String header) {
        if (header != null) {
            try {
                return Math.min(5_000, Math.max(0, Long.parseLong(header.trim()) * 1_000));
            } catch (NumberFormatException e) {
                // an HTTP date: take the default
            }
        }
        return 200;
    }

    private String mac(int n) {
        return String.format("52:54:18:%02x:%02x:%02x", macPrefix, (n >> 8) & 0xFF, n & 0xFF);
    }

    /** Stops issuing and waits (at most {@code drain}) for the ops in flight; how many were still running then. */
    public int stop(Duration drain) throws InterruptedException {
        stopped = true;
        if (issuer != null) {
            issuer.join(1_000);
        }
        pool.shutdown();
        pool.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
        return (int) ops().stream().filter(o -> !o.done).count();
    }

    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /**
     * Ops not issued because as many as allowed were in flight (an open-loop load that the controller does not keep up
     * with).
     */
    public int notIssued() {
        return notIssued.get();
    }

    /**
     * Every op and every call as CSV ({@code <prefix>ops.csv}, {@code <prefix>calls.csv} in {@code dir}), times in ms
     * from {@code zeroNanos} ({@link OpsCsv}). A failure to write is said on stderr.
     */
    public void write(Path dir, String prefix, long zeroNanos) {
        OpsCsv.write(this, dir, prefix, zeroNanos);
    }

    @Override
    public void close() {
        stopped = true;
        pool.shutdownNow();
    }
}
