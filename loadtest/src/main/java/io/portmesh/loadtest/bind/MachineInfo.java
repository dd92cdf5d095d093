package io.portmesh.loadtest.bind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the figures were measured on, and how the run was started. */
public final class MachineInfo {
    private MachineInfo() {}

    public static String memTotal() {
        return meminfo("MemTotal:");
    }

    /** What the kernel thinks can be given to new processes without swapping (MemAvailable). */
    public static String memAvailable() {
        return meminfo("MemAvailable:");
    }

    private static String meminfo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field)) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%,d MiB", kb / 1024);
                }
            }
        } catch (Exception e) {
            // not Linux: say so below
        }
        return "unknown (no /proc/meminfo)";
    }

    /** The resident memory of a process in KiB (VmRSS), -1 when it cannot be read (gone, not Linux). */
    public static long residentKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // gone, or not Linux
        }
        return -1;
    }

    /** nproc, memory, this JVM's heap limit, the Java version and the load average: one line of a report's header. */
    public static String summary() {
        Runtime rt = Runtime.getRuntime();
        return String.format(
                "nproc %d, MemTotal %s, JVM maxMemory %,d MiB, Java %s (%s), load average %s",
                rt.availableProcessors(),
                memTotal(),
                rt.maxMemory() / (1024 * 1024),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                loadAverage());
    }

    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    /**
     * The command line from /proc/self/cmdline (ProcessHandle gives up on long ones), with the class path (hundreds of
     * jars) collapsed to its entry count and first entry; everything else verbatim.
     */
    public static String commandLine(String[] mainArgs) {
        List<String> args;
        try {
            String raw = Files.readString(Path.of("/proc/self/cmdline"));
            args = List.of(raw.split("\0"));
        } catch (Exception e) {
            args = new ArrayList<>(List.of("java", "...", "io.portmesh.loadtest.bind.BindBenchmark"));
            args.addAll(List.of(mainArgs));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) && i + 1 < args.size()) {
                String[] entries = args.get(++i).split(java.io.File.pathSeparator);
                out.add(a);
                out.add("<" + entries.length + " entries: " + entries[0] + ":...>");
            } else {
                out.add(a.contains(" ") ? "'" + a + "'" : a);
            }
        }
        return String.join(" ", out);
    }
}
