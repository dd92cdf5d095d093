package io.portmesh.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks whether a Cassandra answers CQL at an address. */
final class CqlProbe {

    private static final Logger log = LoggerFactory.getLogger(CqlProbe.class);

    private CqlProbe() {}

    /**
     * The node's {@code release_version}, or empty when nothing answers CQL there. A plain TCP
     * connect comes first: it is cheap, and a refused port then costs no driver start-up and no
     * driver warnings.
     */
    static Optional<String> releaseVersion(InetSocketAddress address, Duration timeout) {
        if (!acceptsTcp(address, timeout)) {
            return Optional.empty();
        }
        // the data center is inferred: a reused node need not be in datacenter1
        try (CqlSession session = CassandraSessions.open(address, null, timeout)) {
            Row row =
                    session.execute("SELECT release_version FROM system.local").one();
            return Optional.of(row == null ? "unknown" : String.valueOf(row.getString("release_version")));
        } catch (RuntimeException e) {
            log.debug("No CQL at {} yet: {}", address, e.toString());
            return Optional.empty();
        }
    }

    static boolean acceptsTcp(InetSocketAddress address, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
