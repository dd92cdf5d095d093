package io.portmesh.sharding;

import io.portmesh.sharding.host.HostEntity;
import io.portmesh.sharding.host.HostProtocol;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A Host entity whose answers can be lost: it runs the real {@link HostEntity} as its child and forwards every
 * command to it, but the next answers to BindPort or UnbindPort, or to a switch's change, that a test asks it to lose
 * never leave: the host did the change (persisted or applied it), the asker's ask times out, as when the reply is lost
 * in a rebalance or a node dies.
 */
final class FlakyHost {
    /** What the host with a given id loses, and what it was asked. */
    static final class Faults {
        final AtomicInteger bindAnswersToLose = new AtomicInteger();
        final AtomicInteger unbindAnswersToLose = new AtomicInteger();
        /** Answers to ApplyMemberChange or ApplySwitchMembers (a switch telling the host of a change). */
        final AtomicInteger memberAnswersToLose = new AtomicInteger();

        final AtomicInteger bindsAsked = new AtomicInteger();
        final AtomicInteger unbindsAsked = new AtomicInteger();
        /** Changes of a switch's members the host was told (ApplyMemberChange or ApplySwitchMembers). */
        final AtomicInteger memberChangesTold = new AtomicInteger();
    }

    private static final Map<String, Faults> FAULTS = new ConcurrentHashMap<>();

    private FlakyHost() {}

    static Faults faults(String hostId) {
        return FAULTS.computeIfAbsent(hostId, h -> new Faults());
    }

    static Behavior<HostProtocol.Command> create(
            String hostId, Duration realizeTimeout, HostProtocol.SwitchDirectory switches) {
        return Behaviors.setup(ctx -> {
            ActorRef<HostProtocol.Command> real =
                    ctx.spawn(HostEntity.create(hostId, "test-node", realizeTimeout, switches), "real");
            Faults faults = faults(hostId);
            return Behaviors.receiveMessage(c -> {
                if (c instanceof HostProtocol.BindPort b) {
                    faults.bindsAsked.incrementAndGet();
                    if (takeOne(faults.bindAnswersToLose)) {
                        real.tell(new HostProtocol.BindPort(
                                b.port(),
                                b.mac(),
                                b.switchId(),
                                b.vni(),
                                ctx.getSystem().ignoreRef()));
                        return Behaviors.same();
                    }
                } else if (c instanceof HostProtocol.UnbindPort u) {
                    faults.unbindsAsked.incrementAndGet();
                    if (takeOne(faults.unbindAnswersToLose)) {
                        real.tell(new HostProtocol.UnbindPort(
                                u.port(), u.peersBehind(), ctx.getSystem().ignoreRef()));
                        return Behaviors.same();
                    }
                } else if (c instanceof HostProtocol.ApplyMemberChange m) {
                    faults.memberChangesTold.incrementAndGet();
                    if (takeOne(faults.memberAnswersToLose)) {
                        real.tell(new HostProtocol.ApplyMemberChange(
                                m.switchId(),
                                m.change(),
                                m.awaitRealized(),
                                ctx.getSystem().ignoreRef()));
                        return Behaviors.same();
                    }
                } else if (c instanceof HostProtocol.ApplySwitchMembers m) {
                    faults.memberChangesTold.incrementAndGet();
                    if (takeOne(faults.memberAnswersToLose)) {
                        real.tell(new HostProtocol.ApplySwitchMembers(
                                m.switchId(),
                                m.members(),
                                m.awaitRealized(),
                                ctx.getSystem().ignoreRef()));
                        return Behaviors.same();
                    }
                }
                real.tell(c);
                return Behaviors.same();
            });
        });
    }

    private static boolean takeOne(AtomicInteger counter) {
        return counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
}
