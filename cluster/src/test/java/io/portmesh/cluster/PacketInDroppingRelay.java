package io.portmesh.cluster;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP relay between one agent and the controller nodes that, while told to, drops the agent's OFPT_PACKET_IN
 * messages and passes everything else: the lost packet-in of docs/architecture.md section 7.1 (the VM's RARP reached
 * the destination's agent and matched its activation flow, but the controller never heard of it). The agent is given
 * {@link #addresses()} instead of the nodes'. Every thread ends when its socket closes ({@link #close}).
 */
final class PacketInDroppingRelay implements AutoCloseable {
    private static final int OFPT_PACKET_IN = 10;
    private static final int HEADER = 8;

    private final List<ServerSocket> servers = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dropping = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /** @param controllers the nodes' OpenFlow addresses, {@code host:port} */
    PacketInDroppingRelay(List<String> controllers) throws IOException {
        for (String c : controllers) {
            int colon = c.lastIndexOf(':');
            String host = c.substring(0, colon);
            int port = Integer.parseInt(c.substring(colon + 1));
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            servers.add(server);
            addresses.add("127.0.0.1:" + server.getLocalPort());
            daemon("relay-accept-" + port, () -> accept(server, host, port));
        }
    }

    /** Where the agent connects: one address per controller node, in the nodes' order. */
    List<String> addresses() {
        return List.copyOf(addresses);
    }

    /** Drops the agent's packet-ins from now on ({@code true}) or passes them again. */
    void dropPacketIns(boolean drop) {
        dropping.set(drop);
    }

    /** The packet-ins dropped so far. */
    long dropped() {
        return dropped.get();
    }

    private void accept(ServerSocket server, String host, int port) {
        while (!closed) {
            try {
                Socket agent = server.accept();
                Socket controller = new Socket(host, port);
                agent.setTcpNoDelay(true);
                controller.setTcpNoDelay(true);
                sockets.add(agent);
                sockets.add(controller);
                daemon("relay-to-agent", () -> copy(controller, agent));
                daemon("relay-to-controller", () -> filter(agent, controller));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Controller to agent: as it comes. */
    private void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed: the other follows
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Agent to controller: message by message (OpenFlow's header says each one's length), packet-ins dropped. */
    private void filter(Socket from, Socket to) {
        try (DataInputStream in = new DataInputStream(from.getInputStream());
                OutputStream out = to.getOutputStream()) {
            byte[] header = new byte[HEADER];
            while (true) {
                in.readFully(header);
                int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                byte[] body = new byte[Math.max(0, length - HEADER)];
                in.readFully(body);
                if (dropping.get() && header[1] == OFPT_PACKET_IN) {
                    dropped.incrementAndGet();
                    continue;
                }
                out.write(header);
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: the other follows
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        servers.forEach(PacketInDroppingRelay::closeQuietly);
        sockets.forEach(PacketInDroppingRelay::closeQuietly);
    }
}
