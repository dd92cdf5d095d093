package io.portmesh.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Short-lived CQL sessions for tooling (readiness probe, schema installation, test assertions).
 * They are configured from the driver's built-in defaults only: a session built from the
 * application's config would merge {@code datastax-java-driver.basic.contact-points} with the
 * address given here and might talk to another Cassandra. They keep no schema or token metadata
 * ({@code session.getMetadata()} lists nodes only).
 */
public final class CassandraSessions {

    private CassandraSessions() {}

    /**
     * Opens a session to one node.
     *
     * @param localDatacenter the node's data center, or null to infer it from the contact point
     * @param timeout connect, initialisation and per-request timeout
     */
    public static CqlSession open(InetSocketAddress contactPoint, String localDatacenter, Duration timeout) {
        return CqlSession.builder()
                .withConfigLoader(configLoader(localDatacenter, timeout))
                .addContactPoint(contactPoint)
                .build();
    }

    /** Opens a session to {@code portmesh.cassandra.contact-point} in {@code local-datacenter}. */
    public static CqlSession open(Config config, Duration timeout) {
        return open(
                parseContactPoint(config.getString("portmesh.cassandra.contact-point")),
                config.getString("portmesh.cassandra.local-datacenter"),
                timeout);
    }

    /** Parses {@code host:port}; an address without a port gets Cassandra's 9042. */
    public static InetSocketAddress parseContactPoint(String hostAndPort) {
        String value = hostAndPort.strip();
        int colon = value.lastIndexOf(':');
        if (colon < 0 || value.endsWith("]")) {
            if (value.isEmpty()) {
                throw new IllegalArgumentException("contact point must be host:port: " + hostAndPort);
            }
            return new InetSocketAddress(unbracket(value), EmbeddedCassandraSettings.DEFAULT_NATIVE_PORT);
        }
        String host = unbracket(value.substring(0, colon));
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("contact point must be host:port: " + hostAndPort, e);
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("contact point must be host:port: " + hostAndPort);
        }
        return new InetSocketAddress(host, port);
    }

    /** IPv6 literals come as {@code [::1]:9042}. */
    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static DriverConfigLoader configLoader(String localDatacenter, Duration timeout) {
        OptionsMap options = OptionsMap.driverDefaults();
        options.put(TypedDriverOption.SESSION_NAME, "portmesh-tool");
        options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout);
        options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout);
        options.put(TypedDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout);
        options.put(TypedDriverOption.REQUEST_TIMEOUT, timeout);
        options.put(TypedDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, timeout);
        // Tools neither route by token nor read schema metadata; fetching it after every DDL
        // statement only slows the schema installation down.
        options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
        options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
        if (localDatacenter == null || localDatacenter.isBlank()) {
            options.put(TypedDriverOption.LOAD_BALANCING_POLICY_CLASS, "DcInferringLoadBalancingPolicy");
        } else {
            options.put(TypedDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, localDatacenter);
        }
        return DriverConfigLoader.fromMap(options);
    }
}
