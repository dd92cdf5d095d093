package io.portmesh.loadtest.harness;

import io.portmesh.loadtest.ChildProcesses;
import io.portmesh.loadtest.RunWatchdog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portmesh-load}: runs a chaos and load scenario (issue 19). Exit status 0 when every SLO of the scenario was
 * met and no invariant was violated, 1 when not, 2 when the run itself failed (it could not be set up), 3 when it
 * outlived the scenario's max-run (the watchdog halted it).
 */
@Command(
        name = "portmesh-load",
        mixinStandardHelpOptions = true,
        subcommands = {PortmeshLoad.Run.class},
        description = "The Portmesh chaos and load harness: portmesh-load run <scenario.conf>")
public final class PortmeshLoad implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Runs one scenario and writes its report.")
    static final class Run implements Callable<Integer> {
        /** How long the processes left at a stop get to exit after their SIGTERM before they are killed. */
        private static final Duration CHILDREN_GRACE = Duration.ofSeconds(10);

        @Parameters(
                index = "0",
                paramLabel = "SCENARIO",
                description = "a scenario file, e.g. loadtest/scenarios/smoke.conf")
        Path scenario;

        @Option(names = "--seed", description = "the seed of the fault schedule (default: the scenario's)")
        Long seed;

        @Option(
                names = "--out",
                description = "where report.json, the op and call CSVs and the logs go (default: ${DEFAULT-VALUE})")
        Path out = Path.of("target", "portmesh-load");

        @Option(names = "--cassandra", description = "host:port of a running Cassandra instead of the scenario's")
        String cassandra;

        @Override
        public Integer call() {
            Scenario s = Scenario.read(scenario);
            if (seed != null) {
                s = s.withSeed(seed);
            }
            if (cassandra != null) {
                s = s.withCassandra(cassandra);
            }
            Path dir = out.resolve(s.name() + "-" + s.seed());
            HarnessRun run = new HarnessRun(s, dir, System.out);
            String halted = "the run outlived max-run (" + s.maxRun() + ") and was halted";
            RunWatchdog.start("portmesh-load", s.maxRun().toSeconds(), () -> {
                run.abort(halted, true);
                ChildProcesses.stopAll(CHILDREN_GRACE);
            });
            // stopped from outside (SIGTERM, Ctrl-C): the nodes, Cassandra and agent JVMs go with the run, and the
            // report so far is written, its error saying so
            ChildProcesses.Hook onSignal = ChildProcesses.onSignal(
                    "portmesh-load",
                    () -> run.abort("the run was stopped by a signal before its end", false),
                    CHILDREN_GRACE);
            try {
                return run.run().exitStatus();
            } finally {
                onSignal.remove();
            }
        }
    }

    public static void main(String[] args) {
        int status = new CommandLine(new PortmeshLoad()).execute(args);
        System.exit(status);
    }
}
