package io.portmesh.openflow;

/** The connection is gone: the peer closed it, or a pending request outlived it. */
public final class OfDisconnectedException extends OfException {
    public OfDisconnectedException(String message) {
        super(message);
    }

    public OfDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
