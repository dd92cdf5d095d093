package io.portmesh.loadtest.bind;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.portmesh.persistence.CassandraSessions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one journal write on this Cassandra: sequential single-row INSERTs into a scratch table of a scratch
 * keyspace, at QUORUM like pekko-persistence-cassandra's write profile, with a payload of the size of a small CBOR
 * event. Measured idle (the floor) and, at a low rate, during the load (to see whether Cassandra itself slowed down).
 */
public final class CassandraWriteProbe implements AutoCloseable {
    static final String KEYSPACE = "portmesh_bench_scratch";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int WARMUP = 50;
    private static final int PAYLOAD_BYTES = 200;
    /** A background probe never holds more samples than this (bounded loop). */
    private static final int MAX_BACKGROUND = 100_000;

    private final CqlSession session;
    private final PreparedStatement insert;
    private final byte[] payload = new byte[PAYLOAD_BYTES];
    private final String run = Long.toHexString(System.nanoTime());
    private long seq;
    private Thread background;
    private volatile boolean stop;
    private final List<Long> backgroundNanos = new ArrayList<>();
    private int backgroundErrors;

    private CassandraWriteProbe(CqlSession session) {
        this.session = session;
        ThreadLocalRandom.current().nextBytes(payload);
        session.execute(SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
                        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
                .setTimeout(TIMEOUT));
        session.execute(SimpleStatement.newInstance("CREATE TABLE IF NOT EXISTS " + KEYSPACE
                        + ".writes (pid text, seq bigint, payload blob, PRIMARY KEY (pid, seq))")
                .setTimeout(TIMEOUT));
        this.insert = session.prepare("INSERT INTO " + KEYSPACE + ".writes (pid, seq, payload) VALUES (?, ?, ?)");
    }

    public static CassandraWriteProbe open(InetSocketAddress contactPoint, String datacenter) {
        CqlSession s = CassandraSessions.open(contactPoint, datacenter, TIMEOUT);
        try {
            return new CassandraWriteProbe(s);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** {@code writes} INSERTs one after the other (after a short warm-up), each timed. */
    public Samples sequential(int writes) {
        for (int i = 0; i < WARMUP; i++) {
            write();
        }
        long[] nanos = new long[writes];
        for (int i = 0; i < writes; i++) {
            long t = System.nanoTime();
            write();
            nanos[i] = System.nanoTime() - t;
        }
        return Samples.of(nanos);
    }

    /** One timed INSERT every {@code period} until {@link #stopBackground}. */
    public void startBackground(Duration period) {
        stop = false;
        background = new Thread(
                () -> {
                    for (int i = 0; i < MAX_BACKGROUND && !stop; i++) {
                        long t = System.nanoTime();
                        try {
                            write();
                            long d = System.nanoTime() - t;
                            synchronized (backgroundNanos) {
                                backgroundNanos.add(d);
                            }
                        } catch (RuntimeException e) {
                            synchronized (backgroundNanos) {
                                backgroundErrors++;
                            }
                        }
                        long rest = period.toNanos() - (System.nanoTime() - t);
                        if (rest > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(rest);
                        }
                    }
                },
                "bench-cassandra-probe");
        background.setDaemon(true);
        background.start();
    }

    /** Stops the background probe; null when it recorded nothing. */
    public Samples stopBackground() throws InterruptedException {
        stop = true;
        background.join(TimeUnit.SECONDS.toMillis(15));
        synchronized (backgroundNanos) {
            return backgroundNanos.isEmpty()
                    ? null
                    : Samples.of(
                            backgroundNanos.stream().mapToLong(Long::longValue).toArray());
        }
    }

    public int backgroundErrors() {
        synchronized (backgroundNanos) {
            return backgroundErrors;
        }
    }

    private void write() {
        long s = seq++;
        session.execute(insert.bind(run + "-" + (s % 50), s, ByteBuffer.wrap(payload))
                .setConsistencyLevel(ConsistencyLevel.QUORUM)
                .setTimeout(Duration.ofSeconds(10)));
    }

    /** Drops the scratch keyspace and closes the session. */
    @Override
    public void close() {
        stop = true;
        try {
            session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + KEYSPACE)
                    .setTimeout(TIMEOUT));
        } finally {
            session.close();
        }
    }
}
