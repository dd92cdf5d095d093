package io.portmesh.agent.control;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system's name lookup ({@link InetAddress#getAllByName}: DNS, the hosts file), as the agent resolves its
 * controller names with by default.
 *
 * <p>The JVM caches every successful lookup for {@code networkaddress.cache.ttl} (30 s when unset), on top of what DNS
 * itself caches: an agent asking every 10 s would see a new controller node up to 30 s late. The agent paces its
 * lookups itself, so {@link #turnOffJvmCache()} sets it to 0 (no JVM cache) unless the operator set it (the security
 * property, or the {@code sun.net.inetaddr.ttl} system property). The JVM reads it once, at its first name lookup:
 * {@code AgentMain} calls it before anything else runs; a program that embeds agents and has looked names up already
 * keeps the JVM's setting (or gives the agent its own resolver). Failures stay cached for the JDK's
 * {@code networkaddress.cache.negative.ttl} (10 s in its java.security): while a name fails the agent keeps the nodes
 * it had for it, so that delays only a recovery from a failure.
 */
public final class DnsControllerResolver implements ControllerResolver {
    private static final Logger log = LoggerFactory.getLogger(DnsControllerResolver.class);

    public static final DnsControllerResolver INSTANCE = new DnsControllerResolver();

    static final String CACHE_TTL = "networkaddress.cache.ttl";
    static final String SYSTEM_CACHE_TTL = "sun.net.inetaddr.ttl";

    private DnsControllerResolver() {}

    @Override
    public List<InetAddress> resolve(String name) throws UnknownHostException {
        return List.of(InetAddress.getAllByName(name));
    }

    /**
     * Turns the JVM's cache of successful lookups off unless the operator configured it; effective only when called
     * before the JVM's first name lookup (see the class comment).
     */
    public static void turnOffJvmCache() {
        String security = Security.getProperty(CACHE_TTL);
        String system = System.getProperty(SYSTEM_CACHE_TTL);
        if (security != null || system != null) {
            log.info("JVM name cache left as configured: {}={}, {}={}", CACHE_TTL, security, SYSTEM_CACHE_TTL, system);
            return;
        }
        Security.setProperty(CACHE_TTL, "0");
    }
}
