package io.portmesh.loadtest.bind;

import io.portmesh.agent.control.DatapathAgent;
import io.portmesh.cluster.ChildJvm;
import io.portmesh.loadtest.BenchTls;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The simulated hosts' agents in a JVM of their own, as on real hosts: their flow tables and their allocation do not
 * share the controller's heap and garbage collector (in one JVM, the 50 agents' tables were about half of what every
 * young collection of the controller had to copy). Same class path as the benchmark; it reads its hosts on standard
 * input, one {@code name tep} per line up to a blank line, answers {@code ready} once every agent runs, and closes them
 * all and exits when its standard input ends (so it cannot outlive the benchmark).
 */
public final class AgentFleet {
    /** The JVM of the fleet: a fixed heap with a large young generation, as the README recommends for agents. */
    static final List<String> JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-Xmn512m");

    private static final String READY = "ready";

    private AgentFleet() {}

    /** Marks "no PKI" in the arguments: plain OpenFlow. */
    private static final String PLAIN = "-";

    /**
     * Arguments: VXLAN port, the PKI directory whose agent certificates the agents present ({@link BenchTls}; {@code -}
     * for plain OpenFlow), then the controllers' OpenFlow addresses (host:port).
     */
    public static void main(String[] args) throws Exception {
        int vxlanPort = Integer.parseInt(args[0]);
        Optional<Path> pki = args[1].equals(PLAIN) ? Optional.empty() : Optional.of(Path.of(args[1]));
        List<String> controllers = Arrays.asList(args).subList(2, args.length);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<DatapathAgent> agents = new ArrayList<>();
        int exit = 1;
        try {
            for (String line = in.readLine(); line != null && !line.isBlank(); line = in.readLine()) {
                String[] hostAndTep = line.trim().split(" ");
                String host = hostAndTep[0];
                agents.add(DatapathAgent.start(BenchHosts.agentSettings(host, hostAndTep[1], vxlanPort, controllers)
                        .withTls(pki.map(dir -> BenchTls.agentFiles(dir, host)))));
            }
            System.out.println(READY + " " + agents.size());
            System.out.flush();
            while (in.read() >= 0) {
                // nothing else is ever sent: wait for the end of the benchmark (or its death)
            }
            exit = 0;
        } finally {
            agents.forEach(DatapathAgent::close);
            // threads of an agent that failed half-way must not keep this JVM (and its UDP ports) alive
            System.exit(exit);
        }
    }

    /** The fleet as the benchmark sees it: a child process. */
    static final class Process implements AutoCloseable {
        /** How long 200 agents may take to start and connect their sockets (they need about a second here). */
        private static final long READY_SECONDS = 120;

        private final java.lang.Process process;
        private final Writer stdin;

        private Process(java.lang.Process process) {
            this.process = process;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** Starts the fleet and returns once every agent runs (or fails with the fleet's log named). */
        static Process start(
                List<String> hosts,
                List<String> teps,
                int vxlanPort,
                List<String> controllers,
                Optional<Path> pki,
                Path log)
                throws IOException, InterruptedException {
            List<String> options = new ArrayList<>(JVM_OPTIONS);
            options.add("-Dlogback.configurationFile=io/portmesh/loadtest/bind/fleet-logback.xml");
            List<String> args = new ArrayList<>();
            args.add(Integer.toString(vxlanPort));
            args.add(pki.map(p -> p.toAbsolutePath().toString()).orElse(PLAIN));
            args.addAll(controllers);
            java.lang.Process p = new ProcessBuilder(ChildJvm.command(options, AgentFleet.class.getName(), args))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .start();
            Process fleet = new Process(p);
            try {
                for (int i = 0; i < hosts.size(); i++) {
                    fleet.stdin.write(hosts.get(i) + " " + teps.get(i) + "\n");
                }
                fleet.stdin.write("\n");
                fleet.stdin.flush();
                fleet.awaitReady(hosts.size(), log.toFile());
                return fleet;
            } catch (IOException | RuntimeException | InterruptedException e) {
                fleet.close();
                throw e;
            }
        }

        /**
         * Copies the fleet's output to {@code log} on a thread of its own and waits (bounded) until it says ready; a fleet
         * that exits or hangs before is destroyed and reported with its log named.
         */
        private void awaitReady(int agents, File log) throws IOException, InterruptedException {
            CompletableFuture<Boolean> ready = new CompletableFuture<>();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Writer copy = new FileWriter(log, StandardCharsets.UTF_8);
            Thread drain = new Thread(() -> drain(out, copy, READY + " " + agents, ready), "agent-fleet-output");
            drain.setDaemon(true);
            drain.start();
            boolean ok;
            try {
                ok = ready.get(READY_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                ok = false;
            }
            if (!ok) {
                process.destroyForcibly();
                throw new IOException("the agent fleet did not start its " + agents + " agents within " + READY_SECONDS
                        + " s (exit " + exitCode() + "); see " + log);
            }
        }

        /** Copies every line; completes {@code ready} true at the ready line, false if the output ends first. */
        private static void drain(BufferedReader out, Writer copy, String readyLine, CompletableFuture<Boolean> ready) {
            try (copy) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    copy.write(line + "\n");
                    if (line.equals(readyLine)) {
                        copy.flush();
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                // the fleet is gone: nothing more to copy
            } finally {
                ready.complete(false);
            }
        }

        private String exitCode() {
            try {
                return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }

        long pid() {
            return process.pid();
        }

        /** Ends its standard input (the agents close), then SIGKILL if it has not exited in 20 s. */
        @Override
        public void close() {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
            ChildJvm.awaitOrKill(process, Duration.ofSeconds(20));
        }
    }
}
