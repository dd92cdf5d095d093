package io.portmesh.cluster.bootstrap;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM (the kubelet stopping a pod, {@code kill}, systemd) runs the coordinated shutdown from a signal handler
 * rather than from the JVM's shutdown hook: the node hands off its shards, leaves the cluster (the others see it
 * Removed, not Unreachable), closes its agents' connections last, and then, with {@code exit-jvm} on, exits with
 * status 0. From the shutdown hook the same shutdown ran, but a JVM ended by a signal's default handler exits with 143,
 * which says "killed" where the node had left cleanly.
 */
public final class SigtermLeave {
    private static final Logger log = LoggerFactory.getLogger(SigtermLeave.class);

    /** The reason the shutdown was run for, as the log and {@code /alive} on the REST port show it. */
    public static final class Sigterm implements CoordinatedShutdown.Reason {
        static final Sigterm INSTANCE = new Sigterm();

        private Sigterm() {}

        @Override
        public String toString() {
            return "SIGTERM";
        }
    }

    private SigtermLeave() {}

    public static void install(ActorSystem<?> system) {
        Signal.handle(new Signal("TERM"), signal -> {
            log.info("SIGTERM: leaving the cluster (coordinated shutdown), then exiting");
            CoordinatedShutdown.get(system).runAll(Sigterm.INSTANCE);
        });
    }
}
