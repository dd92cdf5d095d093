package io.portmesh.sharding.southbound;

import io.portmesh.sharding.logging.OncePerWindow;
import io.portmesh.sharding.metrics.NodeMetrics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node's refused OpenFlow connections go, whoever refuses them (the listener for TLS and identity, a session
 * for a host's pins): every one is counted in {@code portmesh_openflow_refusals_total{reason}}, and logged at warning
 * at most once per {@link #WINDOW} for each peer IP address and reason. An impostor retrying in a loop (an agent
 * reconnects with backoff, a script without) would otherwise write a line per attempt; the refusals not logged are
 * counted and the next line of that address and reason says how many there were ({@link OncePerWindow}, at most
 * {@link #MAX_PEERS} addresses remembered). Keyed by IP, not by address and port (each retry has a port of its own).
 */
public final class OpenFlowRefusals implements Extension {
    private static final Logger log = LoggerFactory.getLogger(OpenFlowRefusals.class);

    /** At most one line per peer address and reason in this time. */
    static final Duration WINDOW = Duration.ofSeconds(60);

    static final int MAX_PEERS = 1024;

    private static final ExtensionId<OpenFlowRefusals> ID = new ExtensionId<>() {
        @Override
        public OpenFlowRefusals createExtension(ActorSystem<?> system) {
            NodeMetrics metrics = NodeMetrics.get(system);
            return new OpenFlowRefusals(
                    reason -> metrics.openflowRefusals.labelValues(reason).inc(), log::warn, System::nanoTime, WINDOW);
        }
    };

    private final Consumer<String> count;
    private final Consumer<String> warn;
    private final OncePerWindow lines;

    /**
     * @param count counts a refusal by its reason label
     * @param warn writes a log line
     */
    OpenFlowRefusals(Consumer<String> count, Consumer<String> warn, LongSupplier nanos, Duration window) {
        this.count = count;
        this.warn = warn;
        this.lines = new OncePerWindow(window, MAX_PEERS, nanos);
    }

    public static OpenFlowRefusals get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Counts a refused connection from {@code from}, and logs it unless that peer and reason were logged lately. */
    public void refused(SocketAddress from, String reason, String why) {
        count.accept(reason);
        OptionalLong admitted = lines.admit(peer(from) + " " + reason);
        if (admitted.isEmpty()) {
            return;
        }
        long suppressed = admitted.getAsLong();
        warn.accept("refusing OpenFlow connection from " + from + " (" + reason + "): " + OncePerWindow.printable(why)
                + (suppressed == 0
                        ? ""
                        : " [" + suppressed + " more refused from " + peer(from) + " for " + reason + " since the last"
                                + " line, not logged]"));
    }

    private static String peer(SocketAddress from) {
        return from instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : String.valueOf(from);
    }
}
