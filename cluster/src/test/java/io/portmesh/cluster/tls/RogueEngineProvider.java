package io.portmesh.cluster.tls;

import org.apache.pekko.actor.ActorSystem;

/**
 * Artery TLS for a node that would not pass our own start check: it presents whatever certificate of the CA
 * {@code portmesh.test.rogue-tls} names (an agent's, one without the node URI), as a process built to join the cluster
 * with such a key would. What refuses it is the real nodes' {@link ClusterTlsEngineProvider}. Pekko creates it by
 * class name, hence public.
 */
public final class RogueEngineProvider extends ClusterTlsEngineProvider {
    public RogueEngineProvider(ActorSystem system) {
        super(ClusterTls.unchecked(system.settings().config().getConfig("portmesh.test.rogue-tls")));
    }
}
