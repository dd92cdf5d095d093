package io.portmesh.loadtest.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One TCP port on loopback cut off by an iptables rule: every segment sent to it is dropped (connects time out, open
 * connections go silent). Blocking a controller node's Pekko Artery port cuts every message of the other nodes to it:
 * Artery sends each direction over the sender's own outbound connection, so the heartbeat replies to the isolated node
 * are cut too, and both sides see the other unreachable. What the isolated node sends over its own connections still
 * arrives: a one-way cut, as a broken link or a firewall makes them.
 *
 * <p>The rule carries a comment naming this JVM's pid and the port; it is removed by {@link #close()} and by a JVM
 * shutdown hook, and {@link #blockInbound} first removes rules whose JVM is gone (a run killed before either ran). Needs
 * root and a working iptables: {@link #unavailableReason()}.
 */
public final class LoopbackPartition implements AutoCloseable {
    private static final String TAG = "portmesh-partition-";
    private static final String WAIT_SECONDS = "10";
    /** A rule of this class in {@code iptables -S}: its comment, with the pid of the JVM that added it. */
    private static final java.util.regex.Pattern OWN_RULE =
            java.util.regex.Pattern.compile("--comment \"?" + TAG + "(\\d+)-(\\d+)");

    private final int port;
    private final List<String> rule;
    private final Thread hook;
    private boolean active;

    private LoopbackPartition(int port) {
        this.port = port;
        this.rule = List.of(
                "INPUT",
                "-i",
                "lo",
                "-p",
                "tcp",
                "--dport",
                Integer.toString(port),
                "-m",
                "comment",
                "--comment",
                TAG + ProcessHandle.current().pid() + "-" + port,
                "-j",
                "DROP");
        this.hook = new Thread(this::heal, "loopback-partition-heal-" + port);
    }

    /** Why this machine cannot partition loopback ports (not root, no iptables, iptables failing), or empty. */
    public static Optional<String> unavailableReason() {
        Result id = run(List.of("id", "-u"));
        if (!id.ok() || !id.output().trim().equals("0")) {
            return Optional.of("blocking a port with iptables needs root (id -u: "
                    + id.output().trim() + ")");
        }
        Result list = iptables(List.of("-S", "INPUT"));
        if (!list.ok()) {
            return Optional.of("iptables does not work here: " + list.output().trim());
        }
        return Optional.empty();
    }

    /** Drops every TCP segment sent to {@code port} on loopback until {@link #close()}. */
    public static LoopbackPartition blockInbound(int port) {
        removeRulesOfDeadJvms();
        LoopbackPartition p = new LoopbackPartition(port);
        Runtime.getRuntime().addShutdownHook(p.hook);
        List<String> insert = new ArrayList<>(List.of("-I"));
        insert.addAll(p.rule);
        Result r = iptables(insert);
        if (!r.ok()) {
            Runtime.getRuntime().removeShutdownHook(p.hook);
            throw new IllegalStateException("iptables could not block port " + port + ": " + r.output());
        }
        p.active = true;
        return p;
    }

    public int port() {
        return port;
    }

    /** Removes the rule (idempotent). */
    public synchronized void heal() {
        if (!active) {
            return;
        }
        List<String> delete = new ArrayList<>(List.of("-D"));
        delete.addAll(rule);
        Result r = iptables(delete);
        if (!r.ok()) {
            throw new IllegalStateException("iptables could not remove the rule blocking port " + port + ": "
                    + r.output() + "; remove it by hand: iptables -D " + String.join(" ", rule));
        }
        active = false;
    }

    @Override
    public void close() {
        try {
            heal();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, or has run; heal() is idempotent
            }
        }
    }

    /** Rules of this class whose JVM no longer runs: left behind by a run killed with SIGKILL. */
    private static void removeRulesOfDeadJvms() {
        Result list = iptables(List.of("-S", "INPUT"));
        for (String line : list.output().split("\n")) {
            java.util.regex.Matcher m = OWN_RULE.matcher(line);
            if (!line.startsWith("-A INPUT ") || !m.find()) {
                continue;
            }
            long pid = Long.parseLong(m.group(1));
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            List<String> delete = new ArrayList<>(List.of("-D"));
            delete.addAll(List.of(line.substring("-A ".length()).trim().split("\\s+")));
            iptables(delete);
        }
    }

    private static Result iptables(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", WAIT_SECONDS));
        cmd.addAll(args);
        return run(cmd);
    }

    private record Result(boolean ok, String output) {}

    private static Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(false, String.join(" ", cmd) + " did not finish in 30 s");
            }
            return new Result(p.exitValue() == 0, new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(false, String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, String.join(" ", cmd) + ": interrupted");
        }
    }
}
