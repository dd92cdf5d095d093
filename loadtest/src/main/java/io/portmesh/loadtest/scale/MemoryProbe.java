package io.portmesh.loadtest.scale;

import io.portmesh.loadtest.bind.MachineInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Memory as the scale run measures it. Live heap is what survives a full GC: for another JVM {@code jcmd <pid>
 * GC.class_histogram} (it runs a full GC first and totals the live objects, the figure per-entity costs are made of);
 * for this JVM (the agents') {@code System.gc()} and the heap's used bytes. Resident memory from /proc; Cassandra's
 * on-disk size by walking its directory.
 */
final class MemoryProbe {
    private static final long JCMD_SECONDS = 120;

    private MemoryProbe() {}

    /** Live heap bytes of JVM {@code pid} after a full GC ({@code jcmd GC.class_histogram}'s total); -1 on failure. */
    static long liveHeap(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
                    .redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(JCMD_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return -1;
            }
            return histogramTotal(new String(out, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The bytes column of a class histogram's {@code Total} line; -1 when there is none. */
    static long histogramTotal(String histogram) {
        long total = -1;
        for (String line : histogram.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                total = Long.parseLong(f[f.length - 1]);
            }
        }
        return total;
    }

    /** This JVM's used heap after a full GC (System.gc() is a full, stop-the-world collection with G1 by default). */
    static long ownLiveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long resident(long pid) {
        long kib = MachineInfo.residentKib(pid);
        return kib < 0 ? -1 : kib * 1024;
    }

    /** The bytes of the regular files under {@code dir}; 0 when it does not exist. */
    static long diskBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0; // compacted away while walking
                        }
                    })
                    .sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }
}
