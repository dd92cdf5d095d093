package io.portmesh.sharding.port;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.portmesh.model.CborSerializable;
import java.time.Duration;

/**
 * A change of a port that asks its host: what the port persists ({@link LogicalPortEntity.ChangeStarted}) before the
 * ask, so that a port whose node dies in the middle takes the change back or finishes it when it starts again. Each
 * kind says what its client is told when it is not done in time; its steps are in {@link LogicalPortEntity}. The
 * names in the journal are the {@link JsonSubTypes} names below: a new kind adds one.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = PortChange.BindTo.class, name = "bind"),
    @JsonSubTypes.Type(value = PortChange.Unbind.class, name = "unbind"),
    @JsonSubTypes.Type(value = PortChange.Delete.class, name = "delete"),
    @JsonSubTypes.Type(value = PortChange.MoveTo.class, name = "move")
})
public sealed interface PortChange extends CborSerializable {
    /** What the client hears when the change goes on past the time it waits. */
    String unfinished(String port);

    /** Binds the port to {@code host}. When the host does not answer, the binding is rolled back. */
    record BindTo(String host) implements PortChange {
        /** The client's answer when the host did not answer: the host may have bound the port, or not. */
        public String notApplied(String port, Duration askTimeout) {
            return "binding port " + port + " to host " + host + " was not applied: the host did not answer within "
                    + askTimeout.toMillis() + " ms. The binding is being rolled back; the request may be retried.";
        }

        @Override
        public String unfinished(String port) {
            return "binding port " + port + " to host " + host + " did not finish in the time the client waits;"
                    + " it goes on, or is rolled back if the host does not answer: retry the request to learn which";
        }
    }

    /**
     * Starts a live move of the bound port to {@code host} (docs/architecture.md section 7.1): the destination is
     * asked for a VLAN and flows. When it does not answer, that is rolled back and the port stays where it is.
     * {@code requestedAt}: epoch milliseconds.
     */
    record MoveTo(String host, long requestedAt) implements PortChange {
        @Override
        public String unfinished(String port) {
            return "moving port " + port + " to host " + host + " did not finish in the time the client waits; it"
                    + " goes on, or is rolled back if the host does not answer: GET the port's migration to learn which";
        }
    }

    /** Unbinds the port from its host. When the host does not answer, it is asked again until it does. */
    record Unbind() implements PortChange {
        @Override
        public String unfinished(String port) {
            return "unbinding port " + port + " did not finish in the time the client waits; it will complete:"
                    + " retry the request to see it done";
        }
    }

    /** Unbinds the port as {@link Unbind} does (when bound), then takes it out of its switch. */
    record Delete() implements PortChange {
        @Override
        public String unfinished(String port) {
            return "deleting port " + port + " did not finish in the time the client waits; it goes on:"
                    + " retry the request to see it done";
        }
    }
}
