package io.portmesh.openflow;

/**
 * What a connection does after it answered a framed message it cannot parse with an OFPT_ERROR.
 * Unframeable input (length &lt; 8) always closes the connection.
 */
public enum MalformedPolicy {
    /** Switch ends keep the connection, controller ends close it. */
    BY_ROLE,
    /** Reply with the error and keep reading. */
    KEEP_CONNECTION,
    /** Reply with the error, then close that connection (only that one). */
    CLOSE_CONNECTION;

    /** Whether a connection whose local end plays {@code role} closes after a malformed message. */
    public boolean closesFor(OfRole role) {
        return switch (this) {
            case BY_ROLE -> role == OfRole.CONTROLLER;
            case KEEP_CONNECTION -> false;
            case CLOSE_CONNECTION -> true;
        };
    }
}
