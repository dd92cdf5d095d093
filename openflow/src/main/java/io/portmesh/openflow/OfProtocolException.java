package io.portmesh.openflow;

/** The peer sent input that broke the protocol (unframeable, or unparseable under a closing policy). */
public final class OfProtocolException extends OfException {
    public OfProtocolException(String message) {
        super(message);
    }
}
