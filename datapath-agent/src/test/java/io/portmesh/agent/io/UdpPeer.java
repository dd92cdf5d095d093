package io.portmesh.agent.io;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** A plain UDP socket on 127.0.0.1 standing for a VM endpoint or a remote VTEP. */
final class UdpPeer implements AutoCloseable {
    private final DatagramSocket socket;

    UdpPeer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5_000);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(byte[] data, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(data, data.length, to));
    }

    /** The next datagram's bytes, failing the test if none comes within 5 s. */
    byte[] receive() throws IOException {
        return receivePacket().data;
    }

    record Packet(byte[] data, InetSocketAddress from) {}

    Packet receivePacket() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[65_535], 65_535);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no datagram within 5 s", e);
        }
        return new Packet(Arrays.copyOfRange(p.getData(), 0, p.getLength()), (InetSocketAddress) p.getSocketAddress());
    }

    @Override
    public void close() {
        socket.close();
    }
}
