package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.port.LogicalPortEntity.Event;
import io.portmesh.sharding.port.PortProtocol.IdentifiedRequest;
import io.portmesh.sharding.port.PortProtocol.Request;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * took or queued ({@link #KEEP}, whatever they persisted, also a repeated Bind that persists nothing), and the ids its
 * changes persisted with their first event ({@link PortState#requestIds}: ChangeStarted, Created; the last 16), which
 * a new incarnation (the port's node died, the copy went to the new one) recovers. A copy is answered {@link
 * io.portmesh.sharding.EntityError.Kind#DUPLICATE}: the asker keeps waiting for its first attempt's answer and takes
 * the duplicate's only when nothing else is left (then 503, "may have been applied"). A request the port replays to
 * itself (after taking a move back) is the same object as the one it took, so it is not a copy.
 *
 * <p>Not covered: a request whose first attempt persisted nothing on an incarnation that then died (a repeated Bind to
 * the host the port is bound to, a repeated Unbind of an unbound port, a Delete of a leaving port, a Bind to a move's
 * destination while it migrates, any refusal): its copy runs again on the new incarnation, as a repeat of it would,
 * also after another client's change persisted in between.
 */
final class RequestIds {
    /**
     * How long this incarnation remembers a request it took or queued: longer than an ask's resends can come (the
     * resender polls for {@code RemovalWatch.WINDOW}, 60 s, after a removal, and every attempt ends by the first's
     * deadline, which is shorter), so a copy is known however many requests were queued or handled between.
     */
    static final Duration KEEP = Duration.ofMinutes(2);

    /** At most this many remembered (the stash holds {@link LogicalPortEntity#MAX_WAITING}): the oldest go first. */
    static final int MAX_KEPT = 1_024;

    private record Seen(Request<?> first, long atNanos) {}

    private final String portId;
    private final LinkedHashMap<String, Seen> seen = new LinkedHashMap<>();

    RequestIds(String portId) {
        this.portId = portId;
    }

    /** The request's id, null when it has none (sent by no API call). */
    static String of(Request<?> request) {
        return request instanceof IdentifiedRequest<?> r ? r.requestId() : null;
    }

    /** Runs {@code handler} unless {@code c} is a copy of a request taken already, which is answered DUPLICATE. */
    <C extends IdentifiedRequest<?>> Effect<Event, PortState> once(
            PortState s,
            C c,
            BiFunction<PortState, C, Effect<Event, PortState>> handler,
            EffectFactories<Event, PortState> effects) {
        if (isCopy(s, c)) {
            return duplicate(c, effects);
        }
        remember(c);
        return handler.apply(s, c);
    }

    /**
     * A request that comes while a change runs: a copy of one taken or queued already is answered DUPLICATE at once
     * (also when the queue is full: its first attempt is in it, or was answered); any other is remembered and queued.
     */
    Effect<Event, PortState> whileBusy(
            PortState s,
            Request<?> r,
            java.util.function.Function<Request<?>, Effect<Event, PortState>> queue,
            EffectFactories<Event, PortState> effects) {
        if (isCopy(s, r)) {
            return duplicate(r, effects);
        }
        remember(r);
        return queue.apply(r);
    }

    /**
     * Whether {@code r} is a copy: its id was taken or queued by this incarnation in another object (a request the
     * port replays to itself, after taking a move back or from its queue, is the same object), or persisted by a
     * change of an earlier one.
     */
    private boolean isCopy(PortState s, Request<?> r) {
        String id = of(r);
        if (id == null) {
            return false;
        }
        Seen first = seen.get(id);
        return first != null ? first.first() != r : s.requestIds().contains(id);
    }

    private void remember(Request<?> r) {
        String id = of(r);
        if (id == null || seen.containsKey(id)) {
            return;
        }
        long now = System.nanoTime();
        var oldest = seen.entrySet().iterator();
        while (oldest.hasNext()) {
            Seen e = oldest.next().getValue();
            if (seen.size() < MAX_KEPT && now - e.atNanos() < KEEP.toNanos()) {
                break;
            }
            oldest.remove();
        }
        seen.put(id, new Seen(r, now));
    }

    private Effect<Event, PortState> duplicate(Request<?> r, EffectFactories<Event, PortState> effects) {
        return effects.reply(
                r.replyTo(),
                Errors.duplicate("port " + portId + " has taken request " + of(r) + " already: this is a copy resent"
                        + " after a cluster member's removal, and the request's first attempt gets its answer"));
    }
}
