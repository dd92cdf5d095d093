package io.portmesh.loadtest.harness;

import static io.portmesh.loadtest.harness.Scenario.require;

import io.portmesh.loadtest.harness.Scenario.FaultSpec;
import io.portmesh.loadtest.harness.Scenario.Kind;
import io.portmesh.loadtest.harness.Scenario.When;
import java.time.Duration;

/**
 * The rules a scenario's fault line must meet, each refused with the key that is wrong and why (a {@code
 * ConfigException.BadValue}), split from {@link Scenario}'s own validation.
 */
final class FaultRules {
    /**
     * The longest delay a link fault may add: far above a real link's (a satellite hop is 0.6 s), and below the 2 s a
     * moving VM waits for its old wire to hand on what it still holds (VmAttachment): a longer delay would lose the
     * frames still in the delay line at a move by construction, the harness's loss and not the system's.
     */
    static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private FaultRules() {}

    static void check(Scenario s, FaultSpec f) {
        int targets = s.targets(f.kind());
        require(
                f.kind() != Kind.AGENT_KILL || s.agentProcesses() > 0,
                "fabric.agent-processes",
                "at least 1 for an agent-kill fault (only an agent in a JVM of its own can be killed)");
        require(
                f.target().equals("random") || f.target().matches("[0-9]+") && Integer.parseInt(f.target()) < targets,
                "faults.target",
                "'random' or " + (f.kind().onHost() ? "a host index" : "a node index") + " 0.." + (targets - 1)
                        + ", was " + f.target());
        require(
                Scenario.SLOTS.contains(f.slot())
                        && (f.slot().equals(Scenario.ACTIVE) || f.kind() == Kind.AGENT_KILL && s.agentsPerHost() == 2),
                "faults.slot",
                "one of " + Scenario.SLOTS
                        + " (a, b or standby only for an agent-kill with fabric.agents-per-host = 2), was " + f.slot());
        require(
                f.kind() != Kind.PARTITION
                        || f.healAfter() != null && !f.healAfter().isNegative(),
                "faults.heal-after",
                "how long a partition lasts (required for partition)");
        if (f.when() instanceof When.Every e) {
            require(!e.every().isZero() && !e.every().isNegative(), "faults.every", "above 0");
        }
        require(
                f.kind() == Kind.LINK || f.link() == null,
                "faults.loss",
                "loss and delay only for a link fault, not for " + f.kind().key);
        if (f.kind() == Kind.LINK) {
            link(f);
        }
    }

    /**
     * A link fault: how long it lasts (required), a loss fraction and a delay of which at least one impairs, and, when
     * it drops frames, a loss window covering the time it is impaired (its drops fall in [start, heal]).
     */
    private static void link(FaultSpec f) {
        require(
                f.healAfter() != null
                        && !f.healAfter().isNegative()
                        && !f.healAfter().isZero(),
                "faults.heal-after",
                "how long the link stays impaired (required for link, above 0)");
        LinkSpec l = f.link();
        require(l.loss() >= 0 && l.loss() <= 1, "faults.loss", "a fraction of the frames 0..1, was " + l.loss());
        require(
                !l.delay().isNegative() && l.delay().compareTo(MAX_DELAY) <= 0,
                "faults.delay",
                "0 to " + MAX_DELAY.toSeconds() + "s, was " + l.delay());
        require(
                l.loss() > 0 || !l.delay().isZero(),
                "faults.loss",
                "above 0, or a delay above 0: a link fault with neither impairs nothing");
        require(
                l.loss() == 0 || f.allowedLoss().compareTo(f.healAfter()) >= 0,
                "faults.allowed-loss",
                "at least heal-after (" + f.healAfter() + ") for a link with loss " + l.loss()
                        + ": it drops frames until it heals, and frames lost outside a fault's allowed-loss window are"
                        + " a violation; was " + f.allowedLoss());
    }
}
