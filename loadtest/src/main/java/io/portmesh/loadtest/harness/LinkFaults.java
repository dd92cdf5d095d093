package io.portmesh.loadtest.harness;

import io.portmesh.sim.FrameStream;
import io.portmesh.sim.LinkImpairment;
import io.portmesh.sim.SimulatedVm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongUnaryOperator;

/**
 * The {@code link} fault: a host's access links slow or lossy for {@code heal-after}. Every wire to the host's trunk
 * ({@link HostLinks}) passes one {@link LinkImpairment}, both ways, seeded from the scenario's seed and the fault's
 * index: a VM's frames are impaired while it is plugged into the host (one that moves there during the fault from
 * its move on, one that moves away until its move; what its old wire delays still reaches it before it leaves). At
 * {@code heal-after}, or when the load ends, the impairment heals, its delay line drains (in order) and the wires are
 * restored. The frames the streams through the host lost in the fault's window, [start, heal + delay], must be no more
 * than the link dropped ({@link Invariants#linkLoss}).
 */
final class LinkFaults {
    /** How long a healed link's delay line may take to drain beyond its delay (a loaded machine's scheduling). */
    private static final Duration DRAIN_SLACK = Duration.ofSeconds(5);

    /** A link fault as injected: its impairment, the VMs on the host's links at its start and heal, its early heal. */
    static final class Impaired {
        final LinkImpairment impairment;
        final Set<SimulatedVm> vms = ConcurrentHashMap.newKeySet();
        final CountDownLatch healNow = new CountDownLatch(1);

        Impaired(LinkImpairment impairment) {
            this.impairment = impairment;
        }
    }

    private final Scenario s;
    private final HostLinks links;
    private final BiConsumer<String, Object[]> progress;
    private final LongUnaryOperator runMs;

    LinkFaults(Scenario s, HostLinks links, BiConsumer<String, Object[]> progress, LongUnaryOperator runMs) {
        this.s = s;
        this.links = links;
        this.progress = progress;
        this.runMs = runMs;
    }

    /** Why {@code f} is not injected now: its host's links are impaired already (one link fault per host at a time). */
    Optional<String> busy(InjectedFault f) {
        return links.impairment(f.planned.target()) == null
                ? Optional.empty()
                : Optional.of("the links of host " + (f.planned.target() + 1) + " are impaired already");
    }

    /** Impairs the host's links now ({@code atNanos}); {@link #holdAndHeal} ends it. */
    void impair(InjectedFault f) {
        LinkSpec l = f.planned.link();
        Impaired i = new Impaired(new LinkImpairment(l.loss(), l.delay(), s.seed() * 1_000_003L + f.planned.index()));
        f.link = i;
        links.impair(f.planned.target(), i.impairment);
        f.atNanos = System.nanoTime();
        i.vms.addAll(links.vmsOn(f.planned.target()));
    }

    /**
     * On a thread of its own: holds the impairment for heal-after (or until {@link #healAllNow}), heals it ({@code
     * healedNanos}), waits for its delay line to drain, restores the wires ({@code upAgainNanos}) and closes it.
     */
    void holdAndHeal(InjectedFault f) {
        Impaired i = f.link;
        int host = f.planned.target();
        try {
            // heal-after from the injection, not from this thread's start
            i.healNow.await(f.atNanos + f.planned.healAfter().toNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        i.impairment.heal();
        f.healedNanos = System.nanoTime();
        i.vms.addAll(links.vmsOn(host));
        boolean drained;
        try {
            drained = i.impairment.awaitDrained(f.planned.link().delay().plus(DRAIN_SLACK));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        links.restore(host);
        i.impairment.close();
        f.upAgainNanos = System.nanoTime();
        if (!drained) {
            f.restartFailure = "its delay line still held " + i.impairment.inLine() + " frame(s) "
                    + f.planned.link().delay().plus(DRAIN_SLACK).toMillis() + " ms after the heal";
        }
        progress.accept(
                "links of host %d healed at %.1f s: %d of %d frames dropped, %d delayed, %d over the delay line's bound%s",
                new Object[] {
                    host + 1,
                    runMs.applyAsLong(f.healedNanos) / 1e3,
                    i.impairment.dropped(),
                    i.impairment.passed(),
                    i.impairment.delayed(),
                    i.impairment.overflowed(),
                    f.restartFailure == null ? "" : "; " + f.restartFailure
                });
    }

    /**
     * Until when (ms from {@code zero}) a lossy link fault may have dropped frames: its heal as it happened, plus its
     * delay (a frame the line held may have been sent just before); {@link Long#MIN_VALUE} for the other faults. Its
     * loss window runs at least that long: the heal comes a little after heal-after (its thread's wake-up), which
     * {@code allowed-loss = heal-after} would otherwise leave out by milliseconds.
     */
    static long dropsUntilMs(InjectedFault f, long zero) {
        if (f.link == null || f.planned.link().loss() == 0) {
            return Long.MIN_VALUE;
        }
        long healed = f.healedNanos < 0 ? System.nanoTime() : f.healedNanos;
        return (healed + f.planned.link().delay().toNanos() - zero) / 1_000_000;
    }

    /** Heals every link fault still impairing now (the load's end: every victim is brought back then). */
    static void healAllNow(List<InjectedFault> faults) {
        faults.stream().filter(f -> f.link != null).forEach(f -> f.link.healNow.countDown());
    }

    /**
     * What each injected link fault dropped against what the streams through its host (sent or received by a VM on
     * its links at its start or heal) lost of the frames they sent in its window, [start, heal + delay].
     */
    static List<Invariants.LinkLoss> losses(List<InjectedFault> faults, List<FrameStream> streams, long zero) {
        List<Invariants.LinkLoss> out = new ArrayList<>();
        for (InjectedFault f : faults) {
            if (f.link == null || f.atNanos < 0) {
                continue;
            }
            long to = (f.healedNanos < 0 ? System.nanoTime() : f.healedNanos)
                    + f.planned.link().delay().toNanos();
            long lost = 0;
            for (FrameStream st : streams) {
                if (f.link.vms.contains(st.sender()) || f.link.vms.contains(st.receiver())) {
                    lost += st.lostSentBetween(f.atNanos, to);
                }
            }
            out.add(new Invariants.LinkLoss(
                    "#" + f.planned.index(),
                    "host " + (f.planned.target() + 1),
                    (f.atNanos - zero) / 1_000_000,
                    (to - zero) / 1_000_000,
                    lost,
                    // overflow is the harness failing to hold a frame, not the link: it excuses nothing
                    f.link.impairment.dropped()));
        }
        return out;
    }

    /**
     * A link fault's own fields of the report: its impairment, what it did, and what the streams through its host lost
     * in its window ({@code framesLostInWindow}, which must not exceed {@code framesDropped}).
     */
    static void describe(InjectedFault f, Map<String, Object> m, List<FrameStream> streams, long zero) {
        LinkSpec l = f.planned.link();
        m.put("loss", l.loss());
        m.put("delayMs", l.delay().toMillis());
        m.put("healedAtMs", f.healedNanos < 0 ? null : (f.healedNanos - zero) / 1_000_000);
        if (f.link != null) {
            m.put("framesPassed", f.link.impairment.passed());
            m.put("framesDropped", f.link.impairment.dropped());
            m.put("framesDelayed", f.link.impairment.delayed());
            m.put("framesOverflowed", f.link.impairment.overflowed());
            losses(List.of(f), streams, zero).forEach(x -> m.put("framesLostInWindow", x.lost()));
        }
    }
}
