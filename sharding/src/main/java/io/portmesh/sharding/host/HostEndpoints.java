package io.portmesh.sharding.host;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Tells the switches a host has ports in where the host is reached after a failover (docs/architecture.md section
 * 7.2): each switch persists the host's new tunnel endpoint and gives every host of the switch its member list again,
 * so that peers re-point their flows and flood buckets. Every switch is asked until it answers (a switch whose node is
 * away answers after its restart); a newer failover supersedes the asks of an older one. The asks are runtime state:
 * after a restart the entity announces its endpoint again, which switches that hold it already take as a repeat.
 */
final class HostEndpoints {
    /** How long after a failed ask a switch is asked again. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final ActorContext<HostProtocol.Command> ctx;
    private final HostProtocol.SwitchDirectory switches;
    private long epoch = -1;
    private String tep;
    private String standbyTep;
    private String host;
    private final Set<String> pending = new TreeSet<>();
    private Runnable whenDone = () -> {};
    /** Whether this incarnation announced anything yet. */
    private boolean announced;

    /**
     * Announces the host's endpoints if they differ from what this incarnation last announced: a standby that became
     * ready or was lost. An incarnation that announced nothing yet announces when the host failed over before (a
     * re-pointing may have been cut short) or has a standby.
     */
    void announceIfChanged(HostState s, String standbyTep) {
        boolean same = announced
                ? s.endpointEpoch() == epoch
                        && s.activeTep().equals(tep)
                        && java.util.Objects.equals(standbyTep, this.standbyTep)
                : s.endpointEpoch() == 0 && standbyTep == null;
        if (!same) {
            announce(s, standbyTep, () -> {});
        }
    }

    HostEndpoints(ActorContext<HostProtocol.Command> ctx, HostProtocol.SwitchDirectory switches) {
        this.ctx = ctx;
        this.switches = switches;
    }

    /**
     * Announces the host's active endpoint, and its standby's ({@code standbyTep}, null: none, or dual delivery off), to
     * every switch it has ports in; {@code done} once all of them answered.
     */
    void announce(HostState s, String standbyTep, Runnable done) {
        // the same epoch again (the standby changed while a failover's asks run): its completion is still awaited
        Runnable before = s.endpointEpoch() == epoch ? whenDone : () -> {};
        epoch = s.endpointEpoch();
        tep = s.activeTep();
        this.standbyTep = standbyTep;
        host = s.id();
        announced = true;
        pending.clear();
        s.bindings().values().forEach(b -> pending.add(b.switchId()));
        whenDone = () -> {
            before.run();
            done.run();
        };
        if (pending.isEmpty()) {
            finish();
            return;
        }
        pending.forEach(this::ask);
    }

    private void ask(String switchId) {
        long asked = epoch;
        ctx.pipeToSelf(
                switches.setEndpoint(switchId, host, tep, standbyTep, asked),
                (ok, e) -> new HostSelfMessage.EndpointTold(switchId, asked, e == null ? null : e.toString()));
    }

    /** A switch answered (or its ask failed: it is asked again after {@link #RETRY}). */
    void told(HostSelfMessage.EndpointTold t) {
        if (t.epoch() != epoch || !pending.contains(t.switchId())) {
            return; // an older failover's answer, or a repeat
        }
        if (t.error() != null) {
            ctx.getLog()
                    .warn(
                            "{}: switch {} did not take the new tunnel endpoint {} ({}); asking again",
                            host,
                            t.switchId(),
                            tep,
                            t.error());
            ctx.scheduleOnce(RETRY, ctx.getSelf(), new HostSelfMessage.EndpointRetry(t.switchId(), t.epoch()));
            return;
        }
        pending.remove(t.switchId());
        if (pending.isEmpty()) {
            finish();
        }
    }

    void retry(HostSelfMessage.EndpointRetry r) {
        if (r.epoch() == epoch && pending.contains(r.switchId())) {
            ask(r.switchId());
        }
    }

    private void finish() {
        Runnable done = whenDone;
        whenDone = () -> {};
        done.run();
    }
}
