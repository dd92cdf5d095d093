package io.portmesh.sharding.host;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;

/**
 * A Host entity's asks for whole member lists: after recovery (the lists are not persisted), and when a member change
 * arrives that does not follow the version held (the host missed one). At most one ask per switch is in flight; the
 * changes that wait for it are answered once the list held is at least as new as they are.
 */
final class MemberFetches {
    /** How long a failed ask waits before it is made again (pushes wait meanwhile: agents keep their flows). */
    static final Duration RETRY = Duration.ofSeconds(1);

    /** A change waiting for the list: {@code then} gets the plan version that includes it, {@code failed} an error. */
    private record Waiting(long version, LongConsumer then, Consumer<StatusReply<HostProtocol.Applied>> failed) {}

    private final ActorContext<HostProtocol.Command> ctx;
    private final HostProtocol.SwitchDirectory directory;
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, List<Waiting>> waiting = new HashMap<>();

    MemberFetches(ActorContext<HostProtocol.Command> ctx, HostProtocol.SwitchDirectory directory) {
        this.ctx = ctx;
        this.directory = directory;
    }

    void fetch(String switchId) {
        if (inFlight.add(switchId)) {
            ctx.pipeToSelf(
                    // not the ask itself: pipeToSelf's callback on a Scala-backed stage starts a thread per reply
                    Futures.on(directory.members(switchId), ctx.getExecutionContext()),
                    (m, e) -> new HostSelfMessage.MembersFetched(switchId, m, e == null ? null : Errors.words(e)));
        }
    }

    /** A change of version {@code version} needs the whole list: go on with {@code then} once it is here. */
    void await(String switchId, long version, LongConsumer then, Consumer<StatusReply<HostProtocol.Applied>> failed) {
        waiting.computeIfAbsent(switchId, k -> new ArrayList<>()).add(new Waiting(version, then, failed));
        fetch(switchId);
    }

    /** A retry timer fired: ask again if anybody still needs the list. */
    void retry(HostSouthbound southbound, String switchId) {
        if (southbound.loading().contains(switchId) || waiting.containsKey(switchId)) {
            fetch(switchId);
        }
    }

    void fetched(HostState s, HostSouthbound southbound, HostSelfMessage.MembersFetched c) {
        String sw = c.switchId();
        inFlight.remove(sw);
        if (c.error() != null) {
            ctx.getLog()
                    .warn(
                            "host {}: members of switch {} not available ({}); asking again in {} ms, agents keep"
                                    + " their flows meanwhile",
                            s.id(),
                            sw,
                            c.error(),
                            RETRY.toMillis());
            List<Waiting> failed = waiting.remove(sw);
            if (failed != null) {
                failed.forEach(w -> w.failed()
                        .accept(Errors.unavailable(
                                "host " + s.id() + " could not read the members of switch " + sw + ": " + c.error())));
            }
            if (southbound.loading().contains(sw)) {
                ctx.scheduleOnce(RETRY, ctx.getSelf(), new HostSelfMessage.FetchMembers(sw));
            }
            return;
        }
        southbound.membersChanged(s, sw, c.members());
        List<Waiting> all = waiting.remove(sw);
        if (all == null) {
            return;
        }
        long held = southbound.heldVersion(sw);
        List<Waiting> later = new ArrayList<>();
        for (Waiting w : all) {
            // held == -1: no port of ours is left in the switch, so no change of it concerns this host any more
            if (held == -1 || held >= w.version()) {
                w.then().accept(southbound.version(s));
            } else {
                later.add(w); // the change is newer than the list we got: ask again
            }
        }
        if (!later.isEmpty()) {
            waiting.put(sw, later);
            fetch(sw);
        }
    }
}
