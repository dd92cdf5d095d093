package io.portmesh.cluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.portmesh.openflow.tls.PemIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portmeshctl}: the command line client of the controller's REST API. */
@Command(
        name = "portmeshctl",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        version = "portmeshctl 0.1",
        description =
                "Manage Portmesh logical switches, hosts and ports through the controller's REST API, make API tokens"
                        + " (token) and the certificates of OpenFlow and cluster TLS (pki).",
        subcommands = {
            SwitchCommands.class,
            HostCommands.class,
            PortCommands.class,
            ClusterCommand.class,
            TokenCommand.class,
            PkiCommands.class
        },
        footer = {
            "",
            "Exit codes: 0 done; 1 refused by the controller (HTTP 4xx); 2 bad command line;",
            "3 controller failed or unreachable (HTTP 5xx, connection error);",
            "4 accepted but not realized on every host within the wait (--wait, HTTP 202),",
            "  or a host failover not finished when the controller answered."
        })
public final class PortmeshCtl implements Callable<Integer> {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";
    static final String URL_ENV = "PORTMESH_URL";
    static final String TOKEN_ENV = "PORTMESH_TOKEN";
    static final String CACERT_ENV = "PORTMESH_CACERT";

    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int FAILED = 3;
    static final int NOT_REALIZED = 4;

    enum Output {
        json,
        table
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--url",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "URL",
            description = "Controller REST endpoint (default: $" + URL_ENV + ", else " + DEFAULT_URL + ").")
    String url;

    @Option(
            names = "--token",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "TOKEN",
            description = "Bearer token for a controller whose API needs one (default: $" + TOKEN_ENV
                    + "). Prefer the environment: other users of the machine can read a command line.")
    String token;

    @Option(
            names = "--cacert",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "FILE",
            description = "PEM file of the CA certificate(s) an https:// controller's certificate must be signed by"
                    + " (default: $" + CACERT_ENV + ", else the JDK's trusted CAs).")
    Path cacert;

    @Option(
            names = {"-o", "--output"},
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "FORMAT",
            description = "json (pretty, default) or table.")
    Output output = Output.json;

    @Option(
            names = "--timeout",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "SECONDS",
            description = "How long to wait for the controller's answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 60;

    private final Map<String, String> env;
    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public PortmeshCtl(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(args, out, err, System.getenv()));
    }

    /** Runs one command line; the streams and the environment are parameters so that tests can drive it. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        CommandLine cmd =
                new CommandLine(new PortmeshCtl(env)).setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true);
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Without a subcommand: show what there is to do. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    static PortmeshCtl root(CommandSpec leaf) {
        return (PortmeshCtl) leaf.root().userObject();
    }

    URI baseUri() {
        String raw = url != null ? url : env.getOrDefault(URL_ENV, DEFAULT_URL);
        URI uri;
        try {
            uri = URI.create(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url: '" + raw + "' is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--url: '" + raw + "' must be an http:// or https:// URL with a host");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    private Optional<String> token() {
        String t = token != null ? token : env.get(TOKEN_ENV);
        if (t == null || t.isEmpty()) {
            return Optional.empty();
        }
        String source = token != null ? "--token" : "$" + TOKEN_ENV;
        if (!t.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), source + ": a token has no spaces, control or non-ASCII characters");
        }
        return Optional.of(t);
    }

    /** The CA certificates of --cacert (or its variable) to trust, or null for the JDK's. */
    private SSLContext tls() {
        Path file = cacert != null
                ? cacert
                : Optional.ofNullable(env.get(CACERT_ENV))
                        .filter(v -> !v.isBlank())
                        .map(Path::of)
                        .orElse(null);
        if (file == null) {
            return null;
        }
        try {
            return PemIdentity.context(null, PemIdentity.trustManagers(file));
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cacert: " + e.getMessage());
        }
    }

    /** Sends one request, prints the answer the way {@code -o} asks, and turns the status into the exit code. */
    int request(String method, String path, Object body, View view) {
        return request(method, path, body, view, json -> null);
    }

    /**
     * As {@link #request(String, String, Object, View)}; {@code unfinished} looks at a successful answer and says why
     * the change is not finished yet (printed as a warning, exit code {@link #NOT_REALIZED}), or null.
     */
    int request(String method, String path, Object body, View view, Function<JsonNode, String> unfinished) {
        if (timeoutSeconds <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: must be positive");
        }
        URI base = baseUri();
        Optional<String> bearer = token();
        ApiClient client = new ApiClient(base, Duration.ofSeconds(timeoutSeconds), mapper, bearer, tls());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (bearer.isPresent() && "http".equals(base.getScheme()) && !isLoopback(base.getHost())) {
            // sent anyway (the operator chose the URL), but a token in clear text over a network is worth a word
            err.println("warning: the API token goes in clear text to " + base
                    + ": anyone on the path can read it; use https:// (README, REST over HTTPS)");
        }
        ApiClient.Reply reply;
        try {
            reply = client.send(method, path, body);
        } catch (HttpTimeoutException e) {
            err.println("error: no answer from " + client.base() + " within " + timeoutSeconds + "s (--timeout)");
            return FAILED;
        } catch (IOException e) {
            err.println("error: cannot reach the controller at " + client.base() + ": " + describe(e));
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return FAILED;
        }
        if (reply.status() >= 400) {
            err.println("error: " + errorText(reply));
            if (reply.status() == 401) {
                err.println(
                        client.hasToken()
                                ? "hint: the controller does not accept this token (--token, $" + TOKEN_ENV + ")"
                                : "hint: this controller needs a token: give it with $" + TOKEN_ENV + " or --token");
            }
            return reply.status() < 500 ? REFUSED : FAILED;
        }
        if (reply.body().isEmpty()) {
            return OK;
        }
        JsonNode json = parse(reply.body());
        if (json == null) {
            out.println(reply.body());
        } else if (output == Output.table) {
            out.print(view.render(json));
        } else {
            out.println(pretty(json));
        }
        if (reply.status() == 202 && (json == null || waitEnded(json))) {
            err.println("warning: accepted, but not yet realized on: " + pendingHosts(json));
            return NOT_REALIZED;
        }
        String warning = json == null ? null : unfinished.apply(json);
        if (warning != null) {
            err.println("warning: " + warning);
            return NOT_REALIZED;
        }
        return OK;
    }

    /**
     * Whether a 202 is a wait that ended before every host acknowledged. A live move answers 202 without a wait too
     * (started, not finished): that is done as asked.
     */
    private static boolean waitEnded(JsonNode json) {
        return realizationOf(json).path("waited").asBoolean(true);
    }

    private static JsonNode realizationOf(JsonNode json) {
        return json.has("realization") ? json.get("realization") : json;
    }

    private static String describe(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof SSLException) {
            return "TLS failed (an https:// controller's CA is given with --cacert or $" + CACERT_ENV + "): "
                    + e.getMessage();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private String errorText(ApiClient.Reply reply) {
        JsonNode json = parse(reply.body());
        if (json != null && json.hasNonNull("message")) {
            return json.get("message").asText() + " (" + json.path("error").asText("?") + ", HTTP " + reply.status()
                    + ")";
        }
        return "HTTP " + reply.status()
                + (reply.body().isBlank() ? "" : ": " + reply.body().strip());
    }

    private static String pendingHosts(JsonNode json) {
        List<String> hosts = new ArrayList<>();
        if (json != null) {
            realizationOf(json).path("pendingHosts").forEach(h -> hosts.add(h.asText()));
        }
        return hosts.isEmpty() ? "(hosts not named)" : String.join(", ", hosts);
    }

    private JsonNode parse(String body) {
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private String pretty(JsonNode json) {
        try {
            return mapper.writeValueAsString(json);
        } catch (IOException e) {
            return json.toString();
        }
    }
}
