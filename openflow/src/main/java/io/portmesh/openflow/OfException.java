package io.portmesh.openflow;

/** Base of the failures this module reports through futures and {@link OfMessageListener#onDisconnected}. */
public class OfException extends Exception {
    public OfException(String message) {
        super(message);
    }

    public OfException(String message, Throwable cause) {
        super(message, cause);
    }
}
