package io.portmesh.openflow;

import java.net.SocketAddress;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * Receives connections and their messages once the handshake is done. Every call comes from the connection's
 * event loop thread, in order: do not block in it (hand work to another executor). An exception thrown here is
 * caught, counted and logged; it never closes the connection.
 */
public interface OfMessageListener {
    /**
     * The handshake finished. On a controller end {@link OfConnection#switchInfo()} is present; on a switch end
     * every message after HELLO (FEATURES_REQUEST included) follows through {@link #onMessage}.
     */
    void onConnected(OfConnection connection);

    /**
     * An unsolicited message, or an error not tied to a pending request. ECHO is answered in the pipeline and
     * replies to pending requests complete their futures instead of arriving here.
     */
    void onMessage(OfConnection connection, OFMessage message);

    /**
     * A message the endpoint's {@link OfWireDecoder} decoded, in order with those {@link #onMessage} receives. Only
     * endpoints built with a wire decoder get these calls.
     */
    default void onWireMessage(OfConnection connection, Object message) {}

    /**
     * The switch says this connection's role changed without being asked (another controller became master, or the
     * switch's configuration changed): the ONF ROLE_STATUS extension of OpenFlow 1.3, in order with the other
     * messages. A controller that thought it was master should stop writing and may ask again with a newer
     * generation id. Experimenter messages this library does not know never reach the listener; they are counted in
     * {@link OfStats.Counter#EXPERIMENTERS_IGNORED} and never close the connection.
     */
    default void onRoleStatus(OfConnection connection, OfRoleStatus status) {}

    /**
     * A connection reported by {@link #onConnected} is closed; pending futures have failed.
     *
     * @param cause {@code null} when closed locally ({@link OfConnection#close()}, server or client closed);
     *     otherwise why, e.g. {@link KeepaliveTimeoutException}, {@link OfProtocolException}, an
     *     {@code IOException}, or {@link OfDisconnectedException} when the peer closed it
     */
    void onDisconnected(OfConnection connection, Throwable cause);

    /** A connection closed before its handshake finished (refused version, timeout, peer gone). */
    /**
     * The connection's {@link OfConnection#isWritable} changed (its unwritten bytes crossed the high or low water
     * mark), after {@code onConnected}; called on the connection's I/O thread.
     */
    default void onWritabilityChanged(OfConnection connection) {}

    default void onHandshakeFailed(SocketAddress remoteAddress, Throwable cause) {}
}
