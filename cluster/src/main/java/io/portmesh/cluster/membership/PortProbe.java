package io.portmesh.cluster.membership;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One TCP connection attempt to a member's cluster port, and what its outcome proves. Only a refusal proves anything:
 * the kernel of a reachable machine answers a connection to a port nobody listens on with a reset, so a refused
 * connection to a member's canonical address means its process is gone (or never bound). Silence (a timeout) is what a
 * partition or a stalled machine looks like, and proves nothing.
 */
public final class PortProbe {
    /** What one attempt showed. */
    public enum Outcome {
        /** Something listens there (the connection was accepted and is closed again at once). */
        LISTENING,
        /** The connection was refused: nothing listens on that port. */
        REFUSED,
        /** No answer in time, or another error (no route, unresolvable): no proof either way. */
        UNKNOWN
    }

    private PortProbe() {}

    public static Outcome probe(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0); // close with a reset: the member's transport sees the probe end at once
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return Outcome.LISTENING;
        } catch (ConnectException e) {
            return isRefusal(e) ? Outcome.REFUSED : Outcome.UNKNOWN;
        } catch (SocketTimeoutException e) {
            return Outcome.UNKNOWN;
        } catch (IOException | RuntimeException e) {
            return Outcome.UNKNOWN;
        }
    }

    /** A ConnectException is also thrown for "No route to host" and "Network is unreachable": only a refusal counts. */
    static boolean isRefusal(ConnectException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused");
    }
}
