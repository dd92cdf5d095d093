package io.portmesh.openflow;

/** Names of the handlers in an OpenFlow channel pipeline, head to tail (use {@link #name()}). */
public enum OfHandler {
    /** Optional TLS. */
    SSL,
    /** Splits the byte stream into OpenFlow messages by the header's length field. */
    FRAME_DECODER,
    /** Parses frames with Loxi; answers unparseable ones with OFPT_ERROR. */
    MESSAGE_DECODER,
    /** Serialises outgoing {@code OFMessage}s; lets ready-made buffers (batches) pass. */
    MESSAGE_ENCODER,
    /** Fires reader-idle events every echo interval. */
    IDLE,
    /** Channel phase: HELLO exchange and version check; removes itself when done. */
    HANDSHAKE,
    /** Answers ECHO_REQUEST, sends echoes when idle, closes after too many misses. */
    KEEPALIVE,
    /** Switch phase (controller ends), request/reply correlation, hand-off to the listener. */
    DISPATCH
}
