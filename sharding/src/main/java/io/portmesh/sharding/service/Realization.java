package io.portmesh.sharding.service;

import io.portmesh.model.CborSerializable;
import java.util.List;

/**
 * How far a change got: {@code realized} when every affected agent acknowledged it with a barrier;
 * otherwise {@code pendingHosts} names the hosts that had not when the wait ended. {@code waited} is false when the
 * caller did not ask to wait.
 */
public record Realization(boolean waited, boolean realized, List<String> pendingHosts) implements CborSerializable {
    public static final Realization NOT_WAITED = new Realization(false, false, List.of());

    public static Realization done() {
        return new Realization(true, true, List.of());
    }
}
