package io.portmesh.loadtest.bind;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU and GC used over an interval by this JVM (three nodes, and the agents unless they have their own JVM), by the
 * agents' JVM and by the Cassandra child: evidence for whether a slow run was short of CPU rather than waiting on
 * something.
 */
record ResourceUsage(
        long nanos,
        long jvmCpuNanos,
        long gcCount,
        long gcMillis,
        long cassandraTicks,
        long agentTicks,
        long threadsStarted) {
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    static ResourceUsage sample(OptionalLong cassandraPid, OptionalLong agentsPid) {
        long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        long ticks = cassandraPid.isPresent() ? cpuTicks(cassandraPid.getAsLong()) : -1;
        long agentTicks = agentsPid.isPresent() ? cpuTicks(agentsPid.getAsLong()) : -1;
        long threads = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        return new ResourceUsage(System.nanoTime(), cpu, count, millis, ticks, agentTicks, threads);
    }

    /** utime + stime of a process, or -1 when /proc cannot be read. */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name is in parentheses and may contain spaces: fields are counted after it
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    String since(ResourceUsage before) {
        double wall = (nanos - before.nanos) / 1e9;
        StringBuilder b = new StringBuilder();
        if (jvmCpuNanos >= 0 && before.jvmCpuNanos >= 0) {
            b.append(String.format("benchmark JVM %.2f cores", (jvmCpuNanos - before.jvmCpuNanos) / 1e9 / wall));
        }
        if (agentTicks >= 0 && before.agentTicks >= 0) {
            b.append(String.format(
                    ", agents' JVM %.2f cores", (agentTicks - before.agentTicks) / TICKS_PER_SECOND / wall));
        }
        if (cassandraTicks >= 0 && before.cassandraTicks >= 0) {
            b.append(String.format(
                    ", Cassandra %.2f cores", (cassandraTicks - before.cassandraTicks) / TICKS_PER_SECOND / wall));
        }
        b.append(String.format(
                " (average over %.1f s); benchmark JVM GC %d collections, %d ms; %,d threads started",
                wall, gcCount - before.gcCount, gcMillis - before.gcMillis, threadsStarted - before.threadsStarted));
        return b.toString();
    }
}
