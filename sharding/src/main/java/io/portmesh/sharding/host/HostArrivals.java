package io.portmesh.sharding.host;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The ports that move live to a host (docs/architecture.md section 7.1), as their destination sees them: it tells a
 * port when its VM announces itself on its VLAN here, and reaches every arriving port every {@link #TOUCH_ARRIVALS}
 * until the port confirms the arrival, so that a port whose node died resumes its move, an idle one is not passivated
 * with its deadline timer, and an announcement lost with a node is told again.
 */
final class HostArrivals {
    /** How often a host touches the ports arriving here. */
    static final Duration TOUCH_ARRIVALS = Duration.ofSeconds(5);

    /** Where a host reports on the ports that arrive here: their port entities (stubs in unit tests). */
    @FunctionalInterface
    public interface Listener {
        /** The VM of {@code port} announced itself on {@code host}. */
        void vmArrived(String port, String host);

        /**
         * Reaches {@code port} through sharding while it arrives here: a port whose node died starts again and
         * resumes its move (with its deadline), and an idle one is not passivated with its deadline timer.
         */
        default void touch(String port) {}
    }

    private final ActorContext<HostProtocol.Command> ctx;
    private final String hostId;
    private final Listener listener;
    /** A {@link HostSelfMessage.TouchArrivals} is scheduled. */
    private boolean scheduled;
    /**
     * Arriving ports whose VM announced itself to this incarnation: told again at every touch even if the
     * {@link HostEntity.ArrivalAnnounced} write failed (the persisted flag covers this host's own restart).
     */
    private final Set<String> announcedHere = new HashSet<>();

    HostArrivals(ActorContext<HostProtocol.Command> ctx, String hostId, Listener listener) {
        this.ctx = ctx;
        this.hostId = hostId;
        this.listener = listener;
    }

    /**
     * A RARP or ARP from {@code mac} on {@code vlan} reached the controller by an activation flow: the port arriving
     * with them is told at once (the move's activation is idempotent).
     *
     * @return the port whose announcement is new and must be persisted (so that it is told again until the port
     *     confirms, also after this host restarts), or null
     */
    String seen(HostState s, int vlan, String mac) {
        String announced = null;
        for (Map.Entry<String, HostState.LocalBinding> e : s.bindings().entrySet()) {
            HostState.LocalBinding b = e.getValue();
            if (b.arriving() && b.vlan() == vlan && b.mac().equalsIgnoreCase(mac)) {
                listener.vmArrived(e.getKey(), hostId);
                announcedHere.add(e.getKey());
                announced = b.announced() ? null : e.getKey();
            }
        }
        return announced;
    }

    /** The scheduled touch is due. */
    void due(HostState s) {
        scheduled = false;
        touch(s);
    }

    /** Touches every port arriving here, and again after {@link #TOUCH_ARRIVALS} while any arrives. */
    void touch(HostState s) {
        announcedHere.retainAll(s.bindings().keySet());
        s.bindings().forEach((port, b) -> {
            if (b.arriving() && (b.announced() || announcedHere.contains(port))) {
                listener.vmArrived(port, hostId);
            } else if (b.arriving()) {
                listener.touch(port);
            }
        });
        schedule(s);
    }

    /** Schedules the next touch if a port arrives here and none is scheduled. */
    void schedule(HostState s) {
        if (!scheduled && s.bindings().values().stream().anyMatch(HostState.LocalBinding::arriving)) {
            scheduled = true;
            ctx.scheduleOnce(TOUCH_ARRIVALS, ctx.getSelf(), new HostSelfMessage.TouchArrivals());
        }
    }
}
