package io.portmesh.cluster.cli;

import static io.portmesh.cluster.cli.ApiClient.segment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portmeshctl host create|list|get}. */
@Command(
        name = "host",
        description = "Hypervisor hosts and their switch-VM agents.",
        subcommands = {HostCommands.Create.class, HostCommands.ListAll.class, HostCommands.Get.class})
final class HostCommands {
    private HostCommands() {}

    @Command(name = "create", description = "Register a host; its name is its id.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Host name: 1-64 letters, digits, '.', '_' or '-'.")
        String name;

        @Option(
                names = "--tunnel-ip",
                required = true,
                paramLabel = "IP",
                description = "The host's VXLAN tunnel endpoint.")
        String tunnelIp;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("tunnelIp", tunnelIp);
            return PortmeshCtl.root(spec).request("POST", "/v1/hosts", body, View.HOST);
        }
    }

    @Command(name = "list", description = "List hosts.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec).request("GET", "/v1/hosts", null, View.HOST);
        }
    }

    @Command(name = "get", description = "Show one host: agents, VLANs and flows.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "HOST", description = "Host id.")
        String id;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec).request("GET", "/v1/hosts/" + segment(id), null, View.HOST);
        }
    }
}
