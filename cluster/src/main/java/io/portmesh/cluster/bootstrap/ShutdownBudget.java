package io.portmesh.cluster.bootstrap;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node's coordinated shutdown fits the pod's termination grace period: after SIGTERM the kubelet waits
 * {@code portmesh.cluster.kubernetes.termination-grace-period}, then SIGKILLs. A node killed mid-way has not handed
 * off its shards or left the cluster: the others see it unreachable and down it seconds later, the very thing a
 * graceful stop avoids. The worst case is the sum of the timeouts of the phases that have tasks (Pekko's
 * {@code totalTimeout}), known once every task is registered (the node, Pekko Management, the journal).
 */
public final class ShutdownBudget {
    private static final Logger log = LoggerFactory.getLogger(ShutdownBudget.class);
    static final String GRACE = "portmesh.cluster.kubernetes.termination-grace-period";
    static final String MARGIN = "portmesh.cluster.kubernetes.termination-margin";

    private ShutdownBudget() {}

    /**
     * Kubernetes mode: logs the budget, or refuses (IllegalArgumentException) when the phases may take longer than
     * the grace period less the margin. Static mode: nothing (no kubelet waits on it).
     */
    public static void check(ActorSystem<?> system) {
        Config c = system.settings().config();
        if (ClusterDiscovery.mode(c) != ClusterDiscovery.Mode.KUBERNETES) {
            return;
        }
        CoordinatedShutdown cs = CoordinatedShutdown.get(system);
        Duration total = Duration.ofMillis(cs.totalTimeout().toMillis());
        Duration grace = c.getDuration(GRACE);
        Duration margin = c.getDuration(MARGIN);
        String verdict = verdict(total, grace, margin, phases(cs));
        if (total.plus(margin).compareTo(grace) > 0) {
            throw new IllegalArgumentException(verdict);
        }
        log.info(verdict);
    }

    private static List<String> phases(CoordinatedShutdown cs) {
        List<String> phases = new ArrayList<>();
        cs.orderedPhases().foreach(p -> phases.add(p + " " + cs.timeout(p).toMillis() + " ms"));
        return phases;
    }

    static String verdict(Duration total, Duration grace, Duration margin, List<String> phases) {
        String budget = "the coordinated shutdown's phases with tasks may take " + total.toMillis() + " ms in all, "
                + "the JVM " + margin.toMillis() + " ms more, and the kubelet waits " + grace.toMillis() + " ms ("
                + GRACE + ")";
        if (total.plus(margin).compareTo(grace) <= 0) {
            return "SIGTERM fits: " + budget;
        }
        return budget + ": a node stopped by SIGTERM would be killed before it left the cluster. Lower the phases'"
                + " timeouts (pekko.coordinated-shutdown.phases.<phase>.timeout; now " + String.join(", ", phases)
                + ") or raise the pod's terminationGracePeriodSeconds and " + GRACE
                + " (PORTMESH_TERMINATION_GRACE_PERIOD)"
                + " with it";
    }
}
