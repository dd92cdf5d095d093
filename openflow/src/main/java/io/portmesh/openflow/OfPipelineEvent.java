package io.portmesh.openflow;

/** User events the handshake stages fire through the pipeline. */
enum OfPipelineEvent {
    /** Channel phase done: both ends speak OpenFlow 1.3 (fired by HANDSHAKE towards DISPATCH). */
    NEGOTIATED,
    /**
     * The whole handshake is done and the listener has the connection (fired from the pipeline's head by
     * DISPATCH); keepalive starts here, so echoes never interleave with the switch phase.
     */
    CONNECTED
}
