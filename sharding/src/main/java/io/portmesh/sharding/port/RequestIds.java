package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.PortProtocol.IdentifiedRequest;
import io.portmesh.sharding.port.PortProtocol.Request;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * Which API requests a port has handled, so that a copy resent after a cluster member's removal (the API's
 * {@code AskResender}, docs/architecture.md 7.3) is never run a second time. Run twice, a Bind queued behind another
 * client's Bind to another host would move the port back, a Delete would delete a port created again, a Bind whose
 * first attempt was rolled back (and answered "not applied") would apply it after all.
 *
 * <p>A copy carries the id of its first attempt. The port knows an id from two places: the requests this incarnation
 * took ({@link #SEEN_KEPT}, whatever they persisted, also a repeated Bind that persists nothing), and the ids its
 * changes persisted with their first event ({@link PortState#requestIds}: ChangeStarted, Created), which a new
 * incarnation (the port's node died, the copy went to the new one) recovers. A copy is answered {@link
 * io.portmesh.sharding.EntityError.Kind#DUPLICATE}: the asker keeps waiting for its first attempt's answer and takes
 * the duplicate's only when nothing else is left (then 503, "may have been applied"). A request the port replays to
 * itself (after taking a move back) is the same object as the one it took, so it is not a copy.
 *
 * <p>Not covered: a request whose first attempt persisted nothing on an incarnation that then died (a repeated Bind to
 * the host the port is bound to): its copy runs again on the new incarnation, as the repeat it was.
 */
final class RequestIds {
    /** Requests of this incarnation remembered: the copies of an ask come within its timeout, a handful at most. */
    static final int SEEN_KEPT = 8;

    private final String portId;
    private final Map<String, Request<?>> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Request<?>> eldest) {
            return size() > SEEN_KEPT;
        }
    };

    RequestIds(String portId) {
        this.portId = portId;
    }

    /** The request's id, null when it has none (sent by no API call). */
    static String of(Request<?> request) {
        return request instanceof IdentifiedRequest<?> r ? r.requestId() : null;
    }

    /** Runs {@code handler} unless {@code c} is a copy of a request handled already, which is answered DUPLICATE. */
    <C extends IdentifiedRequest<?>> Effect<Event, PortState> once(
            PortState s,
            C c,
            BiFunction<PortState, C, Effect<Event, PortState>> handler,
            EffectFactories<Event, PortState> effects) {
        String id = c.requestId();
        if (id == null) {
            return handler.apply(s, c);
        }
        Request<?> first = seen.get(id);
        if (first == c) {
            return handler.apply(s, c); // replayed by the port itself
        }
        if (first != null || s.requestIds().contains(id)) {
            return effects.reply(
                    c.replyTo(),
                    Errors.duplicate("port " + portId + " handled request " + id
                            + " already (this is a resent copy; its first attempt was answered)"));
        }
        seen.put(id, c);
        return handler.apply(s, c);
    }
}
