package io.portmesh.cluster.cli;

import io.portmesh.cluster.rest.BearerTokens;
import io.portmesh.cluster.rest.Role;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portmeshctl token}: a new random bearer token for the REST API, and the line of the nodes' tokens file that
 * accepts it (its SHA-256, so that the file holds no secret). Nothing is sent anywhere.
 */
@Command(
        name = "token",
        description = {
            "Make a new REST API token (32 random bytes) and print the tokens file line that accepts it.",
            "Line 1: the tokens file line (portmesh.rest.auth.tokens-file of every node);"
                    + " line 2: the token itself, for the client ($PORTMESH_TOKEN). It is not stored anywhere."
        })
final class TokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--role",
            paramLabel = "ROLE",
            description = "read-only (GET and HEAD) or admin (everything); default: ${DEFAULT-VALUE}.")
    String role = Role.READ_ONLY.configName();

    @Override
    public Integer call() {
        Role r;
        try {
            r = Role.parse(role);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--role: " + e.getMessage());
        }
        String token = BearerTokens.newToken();
        PrintWriter out = spec.commandLine().getOut();
        out.println(BearerTokens.fileLine(r, token));
        out.println(token);
        return PortmeshCtl.OK;
    }
}
