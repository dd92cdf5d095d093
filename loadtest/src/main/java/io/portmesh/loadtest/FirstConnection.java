package io.portmesh.loadtest;

import io.portmesh.openflow.OfConnection;
import io.portmesh.openflow.OfMessageListener;
import java.util.concurrent.CompletableFuture;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * A controller-side listener for a tool that talks to one agent by request and reply (a probe, a reader of its tables):
 * {@link #connection} completes with the first connection once its handshake is done; messages nobody asked for and
 * disconnections are ignored (a request's own future fails when its connection goes).
 */
public final class FirstConnection implements OfMessageListener {
    private final CompletableFuture<OfConnection> connection = new CompletableFuture<>();

    public CompletableFuture<OfConnection> connection() {
        return connection;
    }

    @Override
    public void onConnected(OfConnection c) {
        connection.complete(c);
    }

    @Override
    public void onMessage(OfConnection c, OFMessage m) {}

    @Override
    public void onDisconnected(OfConnection c, Throwable cause) {}
}
