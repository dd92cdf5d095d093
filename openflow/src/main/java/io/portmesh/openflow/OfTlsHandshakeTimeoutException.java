package io.portmesh.openflow;

/**
 * The handshake timer fired while the TLS handshake itself was still under way: the peer opened a connection to a TLS
 * port and then stalled (a slow or hostile client holding a socket), as opposed to a TLS peer that stalled later in
 * the OpenFlow handshake ({@link OfHandshakeException}).
 */
public final class OfTlsHandshakeTimeoutException extends OfException {
    public OfTlsHandshakeTimeoutException(String message) {
        super(message);
    }
}
