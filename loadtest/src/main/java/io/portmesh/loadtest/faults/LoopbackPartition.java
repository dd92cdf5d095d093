package io.portmesh.loadtest.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Loopback TCP ports cut off by iptables rules, in two kinds:
 *
 * <ul>
 *   <li>{@link #isolate}: a two-way cut of one process from its peers, what a failed link or a node on the wrong side
 *       of a switch makes. Segments sent to the process's port are dropped (INPUT), and so are those the process itself
 *       sends to the peers' ports (OUTPUT, matched by the process's own group: every process here talks from
 *       127.0.0.1, so the group, given by {@link #inGroup}, is what tells its connections from the peers'). Neither
 *       side hears the other at all.
 *   <li>{@link #blockInbound}: a one-way cut: only segments sent to the port are dropped; what the process sends over
 *       its own connections still arrives. For a Pekko Artery port this cuts every message of the other nodes to it
 *       (Artery sends each direction over the sender's own connection), but the isolated node's gossip still reaches
 *       them, so they learn that it sees them unreachable: Pekko's split brain resolver then takes the fault for an
 *       indirectly connected one and may down healthy nodes too (docs/architecture.md section 7.3).
 * </ul>
 *
 * <p>Every rule carries a comment naming this JVM's pid and the port; they are removed by {@link #close()} and by a JVM
 * shutdown hook, and each new cut first removes rules whose JVM is gone (a run killed before either ran). Needs root,
 * a working iptables with the owner match, and setpriv: {@link #unavailableReason()}.
 */
public final class LoopbackPartition implements AutoCloseable {
    private static final String TAG = "portmesh-partition-";
    private static final String WAIT_SECONDS = "10";
    /** A rule of this class in {@code iptables -S}: its comment, with the pid of the JVM that added it. */
    private static final java.util.regex.Pattern OWN_RULE =
            java.util.regex.Pattern.compile("--comment \"?" + TAG + "(\\d+)-(\\d+)");
    /** The port never listened on that {@link #unavailableReason()} tries its rules with (discard). */
    private static final int PROBE_PORT = 9;

    private final int port;
    /** Each rule as iptables takes it after {@code -I} or {@code -D}: the chain first. */
    private final List<List<String>> rules;

    private final Thread hook;
    private boolean active;

    private LoopbackPartition(int port, List<List<String>> rules) {
        this.port = port;
        this.rules = rules;
        this.hook = new Thread(this::heal, "loopback-partition-heal-" + port);
    }

    /**
     * Why this machine cannot partition loopback ports (not root, no iptables, no owner match, no setpriv), or empty.
     */
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
        Result group = run(inGroup(PROBE_GROUP, List.of("true")));
        if (!group.ok()) {
            return Optional.of("setpriv cannot run a process in its own group: "
                    + group.output().trim());
        }
        try (LoopbackPartition probe = isolate(PROBE_PORT, PROBE_GROUP, List.of(PROBE_PORT))) {
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A group id no account uses, for {@link #unavailableReason()}'s probe. */
    private static final int PROBE_GROUP = 64_999;

    /**
     * {@code command} run in group {@code gid} (and no supplementary group), still as root: what lets {@link #isolate}
     * tell that process's connections from every other's on loopback.
     */
    public static List<String> inGroup(int gid, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--regid=" + gid, "--clear-groups", "--"));
        cmd.addAll(command);
        return cmd;
    }

    /** Drops every TCP segment sent to {@code port} on loopback until {@link #close()}: a one-way cut. */
    public static LoopbackPartition blockInbound(int port) {
        return cut(port, List.of(inboundRule(port)));
    }

    /**
     * Cuts the process listening on {@code port}, which runs in group {@code gid} ({@link #inGroup}), off from {@code
     * peerPorts} both ways until {@link #close()}: nothing sent to its port arrives, and nothing it sends to a peer's
     * port leaves.
     */
    public static LoopbackPartition isolate(int port, int gid, List<Integer> peerPorts) {
        List<List<String>> rules = new ArrayList<>();
        rules.add(inboundRule(port));
        for (int peer : peerPorts) {
            rules.add(outboundRule(gid, peer));
        }
        return cut(port, rules);
    }

    /**
     * Drops every TCP segment that processes of group {@code gid} ({@link #inGroup}) send to {@code port} on loopback
     * until {@link #close()}: one sender's one-way cut (what it sends over its own connections to that port, such as
     * a Pekko node's messages and heartbeat replies to the node listening there, is lost; the other way still works).
     */
    public static LoopbackPartition blockFrom(int gid, int port) {
        return cut(port, List.of(outboundRule(gid, port)));
    }

    private static List<String> outboundRule(int gid, int port) {
        return dropRule("OUTPUT", "-o", List.of("-m", "owner", "--gid-owner", Integer.toString(gid)), port);
    }

    private static List<String> inboundRule(int port) {
        return dropRule("INPUT", "-i", List.of(), port);
    }

    /** Drops loopback TCP to {@code port} in {@code chain} ({@code ifaceFlag}: -i or -o) that also meets {@code match}. */
    private static List<String> dropRule(String chain, String ifaceFlag, List<String> match, int port) {
        List<String> rule = new ArrayList<>(List.of(chain, ifaceFlag, "lo", "-p", "tcp"));
        rule.addAll(match);
        rule.addAll(
                List.of("--dport", Integer.toString(port), "-m", "comment", "--comment", comment(port), "-j", "DROP"));
        return List.copyOf(rule);
    }

    private static String comment(int port) {
        return TAG + ProcessHandle.current().pid() + "-" + port;
    }

    /** Inserts {@code rules}, all or none. */
    private static LoopbackPartition cut(int port, List<List<String>> rules) {
        removeRulesOfDeadJvms();
        LoopbackPartition p = new LoopbackPartition(port, rules);
        Runtime.getRuntime().addShutdownHook(p.hook);
        p.active = true;
        for (List<String> rule : rules) {
            List<String> insert = new ArrayList<>(List.of("-I"));
            insert.addAll(rule);
            Result r = iptables(insert);
            if (!r.ok()) {
                IllegalStateException failed = new IllegalStateException("iptables could not add "
                        + String.join(" ", rule) + ": " + r.output().trim());
                try {
                    p.close();
                } catch (IllegalStateException alsoStuck) {
                    failed.addSuppressed(alsoStuck);
                }
                throw failed;
            }
        }
        return p;
    }

    public int port() {
        return port;
    }

    /**
     * Removes the rules (idempotent). Each rule is tried even when another fails; a rule that was never added (a
     * {@link #cut} that failed half-way) is not an error.
     */
    public synchronized void heal() {
        if (!active) {
            return;
        }
        List<String> stuck = new ArrayList<>();
        for (List<String> rule : rules) {
            List<String> check = new ArrayList<>(List.of("-C"));
            check.addAll(rule);
            if (!iptables(check).ok()) {
                continue; // not there
            }
            List<String> delete = new ArrayList<>(List.of("-D"));
            delete.addAll(rule);
            Result r = iptables(delete);
            if (!r.ok()) {
                stuck.add("iptables -D " + String.join(" ", rule) + " ("
                        + r.output().trim() + ")");
            }
        }
        active = false;
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("iptables could not remove the rules cutting port " + port
                    + "; remove them by hand: " + String.join("; ", stuck));
        }
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
        for (String chain : List.of("INPUT", "OUTPUT")) {
            Result list = iptables(List.of("-S", chain));
            for (String line : list.output().split("\n")) {
                java.util.regex.Matcher m = OWN_RULE.matcher(line);
                if (!line.startsWith("-A " + chain + " ") || !m.find()) {
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
