package io.portmesh.sharding.host;

import io.portmesh.model.Ipv4;
import io.portmesh.model.Mac;
import io.portmesh.model.PortId;
import io.portmesh.model.Vni;
import io.portmesh.model.flow.HostView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ports this host let go of after they moved live to another host, while their straggler grace lasts
 * (docs/architecture.md section 7.1, known gap 4 of the relay through the source, built): {@link HostPlan} gives them
 * to the compiler as {@link HostView.DepartedPort}s, whose straggler flow sends a frame for the port that reaches this
 * host from the tunnel on to the destination. Such a frame was sent here by a peer before the peer was re-pointed; the
 * source lets the port go only once every peer's agents acknowledged the re-pointing (or the switch step timed out),
 * so the grace only has to cover what was in flight or queued in this host's agent then.
 *
 * <p>In memory only, on purpose: a departure lives as long as this incarnation of the host entity, and each ends by a
 * timer of that incarnation ({@link HostSelfMessage.DepartureOver}). When the entity stops (its node died, it was
 * restarted), its next incarnation rebuilds the plan without departures and the first whole-plan push to each agent
 * deletes the straggler flow; a grace is then cut short, never made longer. An agent cut off from every controller
 * keeps its flows (fail-secure), but not this one: it carries a hard timeout ({@link #lifetime}), so the agent removes
 * it by itself. That matters for one case only: the port moved back here while this agent is cut off (its plan
 * change never reaches it), from a host that relays the port's frames here; the stale straggler flow would send them
 * back, a loop. Otherwise a straggler flow that stays is harmless: it sends the port's frames to the host it moved
 * to, which holds it as local (from the tunnel: its trunk only) unless the port moved on from there too.
 *
 * <p>Each departure has a token, so that the timer of an earlier departure of the same port (let go, bound here again,
 * let go again) does not end a later one. Not thread-safe: the host entity owns it.
 */
final class HostDepartures {
    /** The straggler grace ({@code portmesh.controller.move-straggler-grace}); 0 turns the straggler flow off. */
    static final String GRACE = "portmesh.controller.move-straggler-grace";

    static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    private record Departure(HostView.DepartedPort port, long token) {}

    private final Map<String, Departure> byPort = new HashMap<>();
    private long tokens;

    /** The grace when some peers had not acknowledged the re-point when the port was let go of. */
    static final String GRACE_WHEN_BEHIND = "portmesh.controller.move-straggler-grace-when-behind";

    static final Duration DEFAULT_GRACE_WHEN_BEHIND = Duration.ofSeconds(20);

    /**
     * The grace of a port let go of while some peers' agents had not acknowledged its re-point in time: they may send
     * it frames until they catch up, so longer ({@link #DEFAULT_GRACE_WHEN_BEHIND} when the path is not set); never
     * shorter than the usual grace.
     */
    static Duration graceWhenBehind(com.typesafe.config.Config config) {
        Duration usual = grace(config);
        Duration behind =
                config.hasPath(GRACE_WHEN_BEHIND) ? config.getDuration(GRACE_WHEN_BEHIND) : DEFAULT_GRACE_WHEN_BEHIND;
        if (behind.isNegative() || behind.toSeconds() >= 0xFFFF - 1) {
            throw new IllegalArgumentException(
                    GRACE_WHEN_BEHIND + " = " + behind + ": must be 0 or positive, below 18 h");
        }
        return usual.isZero() ? Duration.ZERO : (behind.compareTo(usual) < 0 ? usual : behind);
    }

    /** The grace configured for this node ({@link #DEFAULT_GRACE} when the path is not set, as in unit tests). */
    static Duration grace(com.typesafe.config.Config config) {
        Duration grace = config.hasPath(GRACE) ? config.getDuration(GRACE) : DEFAULT_GRACE;
        if (grace.isNegative() || grace.toSeconds() >= 0xFFFF - 1) {
            throw new IllegalArgumentException(GRACE + " = " + grace + ": must be 0 (off) or positive, below 18 h");
        }
        return grace;
    }

    /**
     * {@code port} (bound here as {@code b}) is let go of, after its move to the host whose endpoint is {@code to}, for
     * {@code grace}. The agents remove the flow by themselves a second after the grace, rounded up to seconds, (its
     * hard timeout, {@link #lifetime}): the controller's own removal normally comes first, and an agent that no
     * controller reaches any more does not keep it.
     *
     * @return the departure's token, for the timer that ends it
     */
    long depart(String port, HostState.LocalBinding b, Ipv4 to, Duration grace) {
        long token = ++tokens;
        HostView.DepartedPort d =
                new HostView.DepartedPort(PortId.of(port), Mac.parse(b.mac()), new Vni(b.vni()), to, lifetime(grace));
        byPort.put(port, new Departure(d, token));
        return token;
    }

    /** The straggler flow's hard timeout for {@code grace}: a second more than its whole seconds, rounded up. */
    static int lifetime(Duration grace) {
        long seconds = grace.toSeconds() + (grace.toNanosPart() > 0 ? 1 : 0) + 1;
        return (int) Math.min(0xFFFF, seconds);
    }

    /** The grace of departure {@code token} of {@code port} is over. @return the VNI it was in, or null when gone */
    Integer over(String port, long token) {
        Departure d = byPort.get(port);
        if (d == null || d.token() != token) {
            return null; // ended by a rebuild, or a later departure of the port
        }
        byPort.remove(port);
        return d.port().vni().value();
    }

    /** The departed ports of {@code vni}, but those bound here again ({@code bound}): their local flows decide. */
    List<HostView.DepartedPort> in(int vni, Map<String, ?> bound) {
        if (byPort.isEmpty()) {
            return List.of();
        }
        List<HostView.DepartedPort> in = new ArrayList<>();
        byPort.forEach((port, d) -> {
            if (d.port().vni().value() == vni && !bound.containsKey(port)) {
                in.add(d.port());
            }
        });
        return in;
    }

    /** Whether {@code port} left this host and its straggler flow may still be in the agents' tables. */
    boolean has(String port) {
        return byPort.containsKey(port);
    }

    /** A new incarnation's plan: no departure (see the class description). */
    void clear() {
        byPort.clear();
    }
}
