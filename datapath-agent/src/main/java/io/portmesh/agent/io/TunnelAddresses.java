package io.portmesh.agent.io;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Turns an IPv4 int into the socket address to send to without allocating per frame: a small direct-mapped cache.
 * Collisions just rebuild the address; races between threads are harmless (both build the same value).
 */
final class TunnelAddresses {
    private static final int SLOTS = 1024;

    private record Slot(int ip, InetSocketAddress address) {}

    private final int udpPort;
    private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SLOTS);

    TunnelAddresses(int udpPort) {
        this.udpPort = udpPort;
    }

    InetSocketAddress of(int ip) {
        int index = (ip * 0x9E3779B9) >>> 22;
        Slot slot = slots.get(index);
        if (slot != null && slot.ip == ip) {
            return slot.address;
        }
        InetSocketAddress address = new InetSocketAddress(toInetAddress(ip), udpPort);
        slots.set(index, new Slot(ip, address));
        return address;
    }

    static InetAddress toInetAddress(int ip) {
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always a valid IPv4 address", e);
        }
    }

    static int toInt(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4) {
            return 0;
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }
}
