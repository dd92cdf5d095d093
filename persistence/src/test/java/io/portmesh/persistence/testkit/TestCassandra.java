package io.portmesh.persistence.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.portmesh.persistence.CassandraSessions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The Cassandra shared by a test run, with the schema applied. Obtain it from {@link
 * CassandraExtension} as a test or lifecycle method parameter.
 *
 * @param contactPoint its CQL address on 127.0.0.1
 * @param localDatacenter its data center
 * @param owned whether this JVM started it (false when it reused one already running)
 */
public record TestCassandra(InetSocketAddress contactPoint, String localDatacenter, boolean owned) {

    /** {@code 127.0.0.1:19042}. */
    public String contactPointString() {
        return contactPoint.getHostString() + ":" + contactPoint.getPort();
    }

    /**
     * Config that points Portmesh and the journal's driver at this Cassandra; put it in front of
     * the rest: {@code cassandra.config().withFallback(ConfigFactory.load())}. The driver section is
     * set explicitly because {@code ConfigFactory.load()} has already resolved its substitution of
     * portmesh.cassandra.contact-point to the default.
     */
    public Config config() {
        return ConfigFactory.empty()
                .withValue("portmesh.cassandra.contact-point", ConfigValueFactory.fromAnyRef(contactPointString()))
                .withValue("portmesh.cassandra.local-datacenter", ConfigValueFactory.fromAnyRef(localDatacenter))
                .withValue("portmesh.cassandra.embedded.enabled", ConfigValueFactory.fromAnyRef(false))
                .withValue(
                        "datastax-java-driver.basic.contact-points",
                        ConfigValueFactory.fromIterable(List.of(contactPointString())))
                .withValue(
                        "datastax-java-driver.basic.load-balancing-policy.local-datacenter",
                        ConfigValueFactory.fromAnyRef(localDatacenter));
    }

    /** A new session for assertions on the tables; the caller closes it. */
    public CqlSession openSession() {
        return CassandraSessions.open(contactPoint, localDatacenter, Duration.ofSeconds(30));
    }
}
