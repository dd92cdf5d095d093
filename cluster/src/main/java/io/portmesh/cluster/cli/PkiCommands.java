package io.portmesh.cluster.cli;

import io.portmesh.cluster.pki.Pki;
import io.portmesh.openflow.tls.OfTlsFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portmeshctl pki}: the deployment CA and the certificates of controller nodes and agents for OpenFlow TLS
 * ({@link Pki}); works on local files only, never on the controller.
 */
@Command(
        name = "pki",
        description = "Make the CA, controller node and agent certificates for OpenFlow TLS (PEM files).",
        subcommands = {PkiCommands.Init.class, PkiCommands.Node.class, PkiCommands.Agent.class},
        footer = {
            "",
            "Files in --dir: ca.crt ca.key; node-<name>.crt/.key; agent-<host>-<slot>.crt/.key (keys mode 0600).",
            "Exit codes: 0 written; 1 refused (a file exists without --force, no CA in --dir);",
            "2 bad command line; 3 the files could not be read or written."
        })
final class PkiCommands implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return PortmeshCtl.USAGE;
    }

    /** What every pki subcommand shares: the directory, --force, the validity, and how failures end. */
    abstract static class PkiCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The PKI directory.")
        Path dir;

        @Option(names = "--force", description = "Replace files that exist.")
        boolean force;

        @Option(
                names = "--days",
                paramLabel = "DAYS",
                description = "Validity in days (default: 3650 for the CA, 825 for the others).")
        Integer days;

        private final Duration defaultValidity;

        PkiCommand(Duration defaultValidity) {
            this.defaultValidity = defaultValidity;
        }

        abstract OfTlsFiles write(Duration validity) throws IOException;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (days != null && days <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--days: must be positive");
            }
            try {
                OfTlsFiles files = write(days == null ? defaultValidity : Duration.ofDays(days));
                out.println("certificate: " + files.certificate());
                out.println("key:         " + files.key());
                out.println("ca:          " + files.ca());
                return PortmeshCtl.OK;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            } catch (FileAlreadyExistsException | NoSuchFileException e) {
                err.println("error: " + e.getFile() + ": " + e.getReason());
                return PortmeshCtl.REFUSED;
            } catch (IOException e) {
                err.println("error: " + e);
                return PortmeshCtl.FAILED;
            }
        }
    }

    @Command(name = "init", description = "Create the CA (EC P-256, self-signed): ca.crt and ca.key.")
    static final class Init extends PkiCommand {
        Init() {
            super(Pki.CA_VALIDITY);
        }

        @Option(names = "--name", paramLabel = "CN", description = "The CA's common name (default: ${DEFAULT-VALUE}).")
        String name = "Portmesh CA";

        @Override
        OfTlsFiles write(Duration validity) throws IOException {
            return Pki.init(dir, name, validity, force);
        }
    }

    @Command(
            name = "node",
            description = "Issue a controller node's certificate (serverAuth, clientAuth): node-<name>.crt and .key."
                    + " Agents accept it only for an address it names (--name, --dns, --ip).")
    static final class Node extends PkiCommand {
        Node() {
            super(Pki.LEAF_VALIDITY);
        }

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Common name and DNS name.")
        String name;

        @Option(names = "--dns", paramLabel = "NAME", description = "Another DNS name (repeatable).")
        List<String> dns = List.of();

        @Option(names = "--ip", paramLabel = "ADDRESS", description = "An IP address (repeatable).")
        List<String> ips = List.of();

        @Override
        OfTlsFiles write(Duration validity) throws IOException {
            return Pki.issueNode(dir, name, ips, dns, validity, force);
        }
    }

    @Command(
            name = "agent",
            description = "Issue an agent's certificate: its identity is the URI portmesh:agent:<host>:<slot>;"
                    + " agent-<host>-<slot>.crt and .key.")
    static final class Agent extends PkiCommand {
        Agent() {
            super(Pki.LEAF_VALIDITY);
        }

        @Option(names = "--host", required = true, paramLabel = "HOST", description = "The host id it serves.")
        String host;

        @Option(names = "--slot", required = true, paramLabel = "a|b", description = "Its slot: a or b.")
        String slot;

        @Override
        OfTlsFiles write(Duration validity) throws IOException {
            return Pki.issueAgent(dir, host, slot, validity, force);
        }
    }
}
