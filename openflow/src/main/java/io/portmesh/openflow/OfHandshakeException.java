package io.portmesh.openflow;

/** The handshake was refused (version, order of messages) or did not finish in time. */
public final class OfHandshakeException extends OfException {
    public OfHandshakeException(String message) {
        super(message);
    }

    public OfHandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
