package io.portmesh.cluster.cli;

import static io.portmesh.cluster.cli.ApiClient.segment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portmeshctl host create|list|get|failover|pin}. */
@Command(
        name = "host",
        description = "Hypervisor hosts and their switch-VM agents.",
        subcommands = {
            HostCommands.Create.class,
            HostCommands.ListAll.class,
            HostCommands.Get.class,
            HostCommands.Failover.class,
            HostPinCommand.class
        })
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

    @Command(
            name = "get",
            description = "Show one host: agents, VLANs and flows, and its switch VMs (slot, tunnel endpoint, active,"
                    + " trunk, connections).")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "HOST", description = "Host id.")
        String id;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec).request("GET", "/v1/hosts/" + segment(id), null, View.HOST_DETAIL);
        }
    }

    @Command(
            name = "failover",
            description = "Switch a host over to its standby switch VM (make-before-break, e.g. for maintenance);"
                    + " prints its switch VMs afterwards. Exit 4 when the new active one's trunk is not confirmed up"
                    + " when the controller answers.")
    static final class Failover implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "HOST", description = "Host id.")
        String id;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec)
                    .request("POST", "/v1/hosts/" + segment(id) + "/failover", null, View.SLOTS, Failover::unfinished);
        }

        /**
         * The controller answers at its realization timeout if the switch-over is not done by then: the new active
         * slot's trunk comes up last, so a trunk not up means it is still under way.
         */
        static String unfinished(JsonNode host) {
            String active = host.path("activeSlot").asText("?");
            for (JsonNode slot : host.path("slots")) {
                if (slot.path("slot").asText().equals(active)) {
                    String trunk = slot.path("trunk").asText("unknown");
                    return trunk.equals("up")
                            ? null
                            : "host " + host.path("id").asText("?") + " switched to slot " + active
                                    + ", but its trunk is not confirmed up yet (" + trunk
                                    + "): the switch-over may still be under way; see 'portmeshctl host get "
                                    + host.path("id").asText("?") + "'";
                }
            }
            return "host " + host.path("id").asText("?") + " shows no slot " + active;
        }
    }
}
