package io.portmesh.loadtest.forwarding;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a run was measured on and how it was started, for the report. */
final class RunInfo {
    private RunInfo() {}

    static String machine() {
        Runtime rt = Runtime.getRuntime();
        return "nproc " + rt.availableProcessors() + ", memory " + memTotal() + ", JVM max heap "
                + (rt.maxMemory() >> 20) + " MiB, Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + "), " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + "\nnet.core.rmem_default " + sysctl("net/core/rmem_default")
                + ", rmem_max " + sysctl("net/core/rmem_max") + ", wmem_default " + sysctl("net/core/wmem_default");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return (Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10) + " MiB";
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "unknown";
    }

    private static String sysctl(String name) {
        try {
            // procfs reports a size of 0: read the stream to its end rather than trusting the size
            try (var in = Files.newInputStream(Path.of("/proc/sys", name))) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            }
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** The command line from /proc/self/cmdline, the class path shortened to its entry count and first entry. */
    static String commandLine(String mainClass, String[] args) {
        List<String> parts;
        try {
            parts = List.of(Files.readString(Path.of("/proc/self/cmdline")).split("\0"));
        } catch (Exception e) {
            parts = new ArrayList<>(List.of("java", "-cp", "...", mainClass));
            parts.addAll(List.of(args));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String a = parts.get(i);
            if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) && i + 1 < parts.size()) {
                String[] entries = parts.get(++i).split(File.pathSeparator);
                out.add(a);
                out.add("<" + entries.length + " entries, first " + entries[0] + ">");
            } else {
                out.add(a.contains(" ") ? "'" + a + "'" : a);
            }
        }
        return String.join(" ", out);
    }
}
