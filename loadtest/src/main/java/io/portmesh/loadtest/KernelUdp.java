package io.portmesh.loadtest;

import java.util.List;

/** What the kernel says about UDP on this machine: the drops a benchmark or test must tell from its own losses. */
public final class KernelUdp {
    private KernelUdp() {}

    /** Datagrams the kernel dropped because a UDP socket's receive buffer was full, since boot; -1 when unknown. */
    public static long receiveBufferErrors() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or another format
        }
        return -1;
    }
}
