package io.portmesh.openflow;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private Open vSwitch (packages openvswitch-switch and openvswitch-common) for one test: ovsdb-server and
 * ovs-vswitchd run as children of the test JVM, in user space ({@code --disable-system}, bridges with
 * {@code datapath_type=netdev}), with every socket, database, pid and log file under the test's directory. Nothing
 * system-wide is started or touched; {@link #close} stops both daemons and removes the bridges' tap devices.
 */
final class UserspaceOvs implements AutoCloseable {
    private static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");
    private static final List<Path> TOOLS = List.of(
            Path.of("/usr/sbin/ovsdb-server"),
            Path.of("/usr/sbin/ovs-vswitchd"),
            Path.of("/usr/bin/ovsdb-tool"),
            Path.of("/usr/bin/ovs-vsctl"),
            Path.of("/usr/bin/ovs-appctl"));

    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();

    private UserspaceOvs(Path dir) {
        this.dir = dir;
    }

    /** Why this machine cannot run one, or null if it can (the tools are installed). */
    static String missing() {
        for (Path tool : TOOLS) {
            if (!Files.isExecutable(tool)) {
                return tool + " not installed (apt-get install openvswitch-switch)";
            }
        }
        return Files.isRegularFile(SCHEMA) ? null : SCHEMA + " missing";
    }

    /** Starts both daemons in {@code dir}; throws with their logs if they do not come up. */
    static UserspaceOvs start(Path dir) throws IOException, InterruptedException {
        UserspaceOvs ovs = new UserspaceOvs(dir);
        try {
            ovs.must("/usr/bin/ovsdb-tool", "create", dir.resolve("conf.db").toString(), SCHEMA.toString());
            ovs.daemon(
                    "/usr/sbin/ovsdb-server",
                    dir.resolve("conf.db").toString(),
                    "--remote=punix:" + ovs.dbSocket(),
                    "--unixctl=" + dir.resolve("ovsdb-server.ctl"),
                    "--pidfile=" + dir.resolve("ovsdb-server.pid"),
                    "--log-file=" + dir.resolve("ovsdb-server.log"));
            ovs.awaitSocket(ovs.dbSocket());
            ovs.vsctl("--no-wait", "init");
            ovs.daemon(
                    "/usr/sbin/ovs-vswitchd",
                    "unix:" + ovs.dbSocket(),
                    "--disable-system",
                    "--unixctl=" + ovs.vswitchdControl(),
                    "--pidfile=" + dir.resolve("ovs-vswitchd.pid"),
                    "--log-file=" + dir.resolve("ovs-vswitchd.log"));
            ovs.awaitSocket(ovs.vswitchdControl());
            return ovs;
        } catch (IOException | RuntimeException e) {
            ovs.close();
            throw e;
        }
    }

    /** Runs ovs-vsctl against this instance's database (waiting for ovs-vswitchd to apply the change). */
    String vsctl(String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("/usr/bin/ovs-vsctl", "--db=unix:" + dbSocket(), "--timeout=20"));
        command.addAll(List.of(args));
        return must(command.toArray(String[]::new));
    }

    /** The daemon's log, for failure messages. */
    String vswitchdLog() {
        try {
            return Files.readString(dir.resolve("ovs-vswitchd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private Path dbSocket() {
        return dir.resolve("db.sock");
    }

    private Path vswitchdControl() {
        return dir.resolve("ovs-vswitchd.ctl");
    }

    private void daemon(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        dir.resolve(Path.of(command[0]).getFileName() + ".out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        environment(pb.environment());
        daemons.add(pb.start());
    }

    /** Keeps the tools away from the system's run, log and database directories. */
    private void environment(Map<String, String> env) {
        for (String var : List.of("OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR")) {
            env.put(var, dir.toString());
        }
    }

    private void awaitSocket(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new IOException("an Open vSwitch daemon exited (" + p.exitValue() + "): " + outputs());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(socket + " did not appear within 20 s: " + outputs());
            }
            Thread.sleep(50);
        }
    }

    private String outputs() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(
                            f -> f.toString().endsWith(".out") || f.toString().endsWith(".log"))
                    .toList()) {
                sb.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    private String must(String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        environment(pb.environment());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": timed out");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** Stops ovs-vswitchd with --cleanup (so its taps go too), then ovsdb-server; kills what does not stop. */
    @Override
    public void close() {
        exit(vswitchdControl(), "--cleanup");
        exit(dir.resolve("ovsdb-server.ctl"));
        for (Process p : daemons) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void exit(Path control, String... options) {
        if (!Files.exists(control)) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/ovs-appctl", "-t", control.toString(), "exit"));
        command.addAll(List.of(options));
        try {
            must(command.toArray(String[]::new));
        } catch (IOException e) {
            // the daemon is gone already or stuck: close() kills what is left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
