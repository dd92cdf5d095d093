package io.portmesh.sharding.port;

import io.portmesh.sharding.Errors;
import io.portmesh.sharding.port.PortProtocol.Outcome;
import io.portmesh.sharding.service.MigrationInfo;
import io.portmesh.sharding.service.Realization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The change a port is running and the client waiting for it (none when the port resumes a change after a restart),
 * with what its steps learn on the way. The client is answered once: a rollback, or a change past the client's
 * deadline, goes on after it. Runtime only: a restart resumes from the persisted state, not from this.
 */
final class RunningChange {
    final PortChange change;
    final boolean await;
    private ActorRef<StatusReply<Outcome>> client;
    /** Per host, the plan version that includes the change, as the steps learn them. */
    final Map<String, Long> versions = new HashMap<>();
    /** A Delete's hosts behind on its unbinding, for its own answer. */
    List<String> behind = List.of();

    int hostAttempts;
    /** How far a move's switch step got, for its answer. */
    Realization realization = Realization.NOT_WAITED;
    /** When an activated move's switch step was acknowledged by every peer's agents (0: not yet, or not all). */
    long repointedAt;
    /** A move's client (a Move, CompleteMove or CancelMove, or a Bind to another host); null when none. */
    private Consumer<StatusReply<MigrationInfo>> moveClient;

    RunningChange(PortChange change, boolean await, ActorRef<StatusReply<Outcome>> client) {
        this.change = change;
        this.await = await;
        this.client = client;
    }

    static RunningChange move(PortChange change, boolean await, Consumer<StatusReply<MigrationInfo>> client) {
        RunningChange r = new RunningChange(change, await, null);
        r.moveClient = client;
        return r;
    }

    void answer(StatusReply<Outcome> reply) {
        if (client != null) {
            client.tell(reply);
            client = null;
        }
    }

    void answerMove(StatusReply<MigrationInfo> reply) {
        if (moveClient != null) {
            moveClient.accept(reply);
            moveClient = null;
        }
    }

    /** The client, whichever kind, hears that the change is not done in time. */
    void unavailable(String message) {
        answer(Errors.unavailable(message));
        answerMove(Errors.unavailable(message));
    }
}
