package io.portmesh.sharding.lswitch;

import io.portmesh.sharding.Futures;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.CheckMembers;
import io.portmesh.sharding.lswitch.SwitchSelfMessage.MembersChecked;
import io.portmesh.sharding.port.LogicalPortEntity;
import io.portmesh.sharding.port.PortProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Finds the switch's ghosts: members whose port never came to exist (its ask timed out and its RemovePort was lost,
 * or its node died between the switch's {@code PortAdded} and its own {@code Created}; docs/architecture.md section
 * 3.2). A member stays unconfirmed ({@link SwitchState#unconfirmed}) until its port binds or is known to exist; every
 * {@code interval} the switch asks the port of each member that was unconfirmed at the previous sweep already (so at
 * least {@code interval} old) {@link PortProtocol.Exists}. A port answers it only once a creation under way ended
 * (Exists waits for the port's change in progress), so "no" means it will never be created from what the switch
 * holds: the member is removed; "yes" confirms it; no answer keeps it for the next sweep.
 *
 * <p>Runtime only: after a restart the unconfirmed members (persisted) are old again from the switch's start. One round
 * of asks at a time, at most {@link #MAX_ASKED} ports each, so that a switch recovered from an old journal (every
 * unbound member unconfirmed) does not start a thousand ports at once.
 */
final class MemberChecks {
    static final int MAX_ASKED = 50;
    private static final String TIMER = "member-checks";

    private final ActorContext<SwitchProtocol.Command> ctx;
    private final TimerScheduler<SwitchProtocol.Command> timers;
    private final ClusterSharding sharding;
    private final Duration interval;
    private final Duration askTimeout;
    /** The members unconfirmed at the last sweep: those still unconfirmed at the next are at least an interval old. */
    private final Set<String> seen = new HashSet<>();
    /** The members the round under way asks about; a member asked to join again meanwhile leaves it. */
    private final Set<String> asking = new HashSet<>();
    /** The round under way (0: none). */
    private long round;

    private long rounds;

    MemberChecks(
            ActorContext<SwitchProtocol.Command> ctx,
            TimerScheduler<SwitchProtocol.Command> timers,
            ClusterSharding sharding,
            Duration interval,
            Duration askTimeout) {
        this.ctx = ctx;
        this.timers = timers;
        this.sharding = sharding;
        this.interval = interval;
        this.askTimeout = askTimeout;
    }

    /** Sweeps from now on if the switch has unconfirmed members (once recovered, and after each member added). */
    void watch(SwitchState s) {
        if (!s.unconfirmed().isEmpty() && !timers.isTimerActive(TIMER)) {
            timers.startTimerWithFixedDelay(TIMER, new CheckMembers(), interval);
        }
    }

    /**
     * A port asked to join again while its member is unconfirmed (its Create resent, or retried): its creation is
     * under way again, so its age starts again and an answer its port gave before does not count.
     */
    void joiningAgain(String port) {
        seen.remove(port);
        asking.remove(port);
    }

    /** A sweep: asks about the members unconfirmed since the last one, unless a round is under way. */
    void sweep(SwitchState s) {
        if (round != 0) {
            return;
        }
        if (s.unconfirmed().isEmpty()) {
            timers.cancel(TIMER);
            seen.clear();
            return;
        }
        List<String> due = s.unconfirmed().stream()
                .filter(seen::contains)
                .sorted()
                .limit(MAX_ASKED)
                .toList();
        seen.clear();
        seen.addAll(s.unconfirmed());
        if (due.isEmpty()) {
            return;
        }
        round = ++rounds;
        asking.addAll(due);
        long thisRound = round;
        Set<String> created = ConcurrentHashMap.newKeySet();
        Set<String> ghosts = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (String port : due) {
            answers.add(exists(port).handle((exists, e) -> {
                if (e == null) {
                    (exists ? created : ghosts).add(port);
                }
                return null;
            }));
        }
        ctx.pipeToSelf(
                CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)),
                (x, e) -> new MembersChecked(thisRound, Set.copyOf(created), Set.copyOf(ghosts)));
    }

    /**
     * Asks the member's port whether it exists: it answers once a change of it under way (its creation) ended. Fails
     * (the member is kept) also where ports are not sharded (a switch's unit tests): nothing throws out of the switch.
     */
    CompletableFuture<Boolean> exists(String port) {
        try {
            return Futures.on(
                    sharding.entityRefFor(LogicalPortEntity.TYPE_KEY, port)
                            .<Boolean>askWithStatus(PortProtocol.Exists::new, askTimeout),
                    ctx.getExecutionContext());
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The round's answers, ending it: the events they make (a confirmation, or the ghost's removal) for the members
     * still asked about and still unconfirmed (none was bound or removed meanwhile).
     */
    List<LogicalSwitchEntity.Event> answered(SwitchState s, MembersChecked m) {
        if (m.round() != round) {
            return List.of();
        }
        List<LogicalSwitchEntity.Event> events = new ArrayList<>();
        for (String port : asking) {
            if (!s.isUnconfirmed(port) || !s.members().containsKey(port)) {
                continue;
            }
            if (m.created().contains(port)) {
                events.add(new LogicalSwitchEntity.MemberConfirmed(port));
            } else if (m.ghosts().contains(port)) {
                events.add(new LogicalSwitchEntity.PortRemoved(port));
            }
        }
        asking.clear();
        round = 0;
        return events;
    }
}
