package io.portmesh.cluster.cli;

import static io.portmesh.cluster.cli.ApiClient.segment;

import io.portmesh.openflow.tls.PublicKeySha256;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portmeshctl host pin HOST [--slot a|b [--cert FILE | --key-sha256 HEX] [--dpid DPID]]...}: replaces the
 * host's pins (docs/architecture.md section 13.1) with the ones given, none to unpin. {@code --cert} reads the agent's
 * certificate here and sends the SHA-256 of its public key; the controller checks what is sent (400 with the field).
 */
@Command(
        name = "pin",
        description = "Pin a host's agents: per slot, the SHA-256 of its certificate's public key (from --cert, or"
                + " --key-sha256) and/or its datapath id. Replaces the host's pins; with no --slot, unpins it.")
final class HostPinCommand implements Callable<Integer> {
    /** One slot's pin as given on the command line. */
    static final class SlotPin {
        @Option(names = "--slot", required = true, paramLabel = "SLOT", description = "a or b.")
        String slot;

        @Option(
                names = "--cert",
                paramLabel = "FILE",
                description = "The agent's certificate (PEM): its public key is pinned.")
        Path cert;

        @Option(
                names = "--key-sha256",
                paramLabel = "HEX",
                description =
                        "The SHA-256 of the agent certificate's public key (SubjectPublicKeyInfo), 64 hex digits.")
        String keySha256;

        @Option(names = "--dpid", paramLabel = "DPID", description = "The agent's datapath id (hex, colons allowed).")
        String dpid;
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "HOST", description = "Host id.")
    String id;

    @ArgGroup(exclusive = false, multiplicity = "0..2")
    List<SlotPin> slots = new ArrayList<>();

    @Override
    public Integer call() {
        Map<String, Object> body = new LinkedHashMap<>();
        for (SlotPin pin : slots) {
            if (pin.cert != null && pin.keySha256 != null) {
                throw usage("--cert and --key-sha256 of slot " + pin.slot + ": give one");
            }
            if (body.containsKey(pin.slot)) {
                throw usage("--slot " + pin.slot + " given twice");
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            String key = pin.cert != null ? keyOf(pin.cert) : pin.keySha256;
            if (key != null) {
                fields.put("publicKeySha256", key);
            }
            if (pin.dpid != null) {
                fields.put("dpid", pin.dpid);
            }
            body.put(pin.slot, fields);
        }
        return PortmeshCtl.root(spec).request("PUT", "/v1/hosts/" + segment(id) + "/pins", body, View.HOST);
    }

    private String keyOf(Path cert) {
        try {
            return PublicKeySha256.ofCertificateFile(cert);
        } catch (IOException | CertificateException e) {
            throw usage("--cert " + cert + ": not a readable PEM certificate (" + e.getMessage() + ")");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
