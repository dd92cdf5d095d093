package io.portmesh.cluster.cli;

import static io.portmesh.cluster.cli.ApiClient.segment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portmeshctl port create|get|list|delete|bind|unbind}, and live moves: {@code move|migration|move-cancel|
 * move-complete}, with the port's {@code history}.
 */
@Command(
        name = "port",
        description = "Logical ports (VM NICs) and where they are bound.",
        subcommands = {
            PortCommands.Create.class,
            PortCommands.Get.class,
            PortCommands.ListAll.class,
            PortCommands.Delete.class,
            PortCommands.Bind.class,
            PortCommands.Unbind.class,
            PortCommands.Move.class,
            PortCommands.Migration.class,
            PortCommands.MoveCancel.class,
            PortCommands.MoveComplete.class,
            PortCommands.History.class
        })
final class PortCommands {
    private PortCommands() {}

    /** {@code --wait}: answer only when every affected agent acknowledged the change. */
    static final class Wait {
        @Option(
                names = "--wait",
                description = "Wait until every affected host has the change (exit 4 if the wait ends first).")
        boolean wait;

        String query() {
            return wait ? "?wait=realized" : "";
        }
    }

    /** A call about one port: its id (the one positional parameter) and how it reaches the API. */
    abstract static class OnePort implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PORT", description = "Port id.")
        String id;

        /** {@code /v1/ports/{id}} and {@code tail}. */
        String portPath(String tail) {
            return "/v1/ports/" + segment(id) + tail;
        }

        Integer request(String method, String path, Object body, View view) {
            return PortmeshCtl.root(spec).request(method, path, body, view);
        }
    }

    /** A change of one port, which may wait for realization ({@code --wait}). */
    abstract static class OnePortChange extends OnePort {
        @picocli.CommandLine.Mixin
        Wait wait = new Wait();

        Integer change(String method, String tail, Object body, View view) {
            return request(method, portPath(tail) + wait.query(), body, view);
        }
    }

    @Command(name = "create", description = "Create a logical port on a switch.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Wait wait = new Wait();

        @Option(names = "--switch", required = true, paramLabel = "SWITCH", description = "Switch id.")
        String switchId;

        @Option(names = "--mac", required = true, paramLabel = "MAC", description = "Unicast MAC of the VM NIC.")
        String mac;

        @Option(names = "--ip", paramLabel = "IP", description = "An IPv4 address of the port (repeatable).")
        List<String> ips;

        @Option(names = "--name", paramLabel = "NAME", description = "A free-text label.")
        String name;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mac", mac);
            if (ips != null) {
                body.put("ips", ips);
            }
            if (name != null) {
                body.put("name", name);
            }
            String path = "/v1/switches/" + segment(switchId) + "/ports" + wait.query();
            return PortmeshCtl.root(spec).request("POST", path, body, View.PORT);
        }
    }

    @Command(name = "get", description = "Show one logical port.")
    static final class Get extends OnePort {
        @Override
        public Integer call() {
            return request("GET", portPath(""), null, View.PORT);
        }
    }

    @Command(name = "list", description = "List the ports of a switch.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--switch", required = true, paramLabel = "SWITCH", description = "Switch id.")
        String switchId;

        @Override
        public Integer call() {
            String path = "/v1/switches/" + segment(switchId) + "/ports";
            return PortmeshCtl.root(spec).request("GET", path, null, View.PORT);
        }
    }

    @Command(name = "delete", description = "Delete a logical port (unbinds it first).")
    static final class Delete extends OnePortChange {
        @Override
        public Integer call() {
            return change("DELETE", "", null, View.REALIZATION);
        }
    }

    @Command(name = "bind", description = "Bind a port to a host (moves it when bound elsewhere); prints its VLAN.")
    static final class Bind extends OnePortChange {
        @Option(names = "--host", required = true, paramLabel = "HOST", description = "Host id.")
        String host;

        @Override
        public Integer call() {
            return change("PUT", "/binding", Map.of("host", host), View.BINDING);
        }
    }

    @Command(name = "unbind", description = "Unbind a port from its host.")
    static final class Unbind extends OnePortChange {
        @Override
        public Integer call() {
            return change("DELETE", "/binding", null, View.REALIZATION);
        }
    }

    @Command(
            name = "move",
            description = "Start a live move of a bound port to another host; prints the move with its VLAN there"
                    + " (TO-VLAN).")
    static final class Move extends OnePortChange {
        @Option(names = "--to", required = true, paramLabel = "HOST", description = "The host to move it to.")
        String to;

        @Override
        public Integer call() {
            return change("POST", "/migration", Map.of("to", to), View.MIGRATION);
        }
    }

    @Command(name = "migration", description = "Show a port's move under way, or its last one.")
    static final class Migration extends OnePort {
        @Override
        public Integer call() {
            return request("GET", portPath("/migration"), null, View.MIGRATION);
        }
    }

    @Command(
            name = "move-cancel",
            description = "Cancel a move that is not activated (the destination is released, the source keeps the"
                    + " port).")
    static final class MoveCancel extends OnePortChange {
        @Override
        public Integer call() {
            return change("DELETE", "/migration", null, View.MIGRATION);
        }
    }

    @Command(
            name = "move-complete",
            description = "Activate a move as the VM's RARP would, for a VM that sends none (its NIC is down).")
    static final class MoveComplete extends OnePortChange {
        @Override
        public Integer call() {
            return change("POST", "/migration/complete", null, View.MIGRATION);
        }
    }

    @Command(name = "history", description = "List a port's own journal, oldest first.")
    static final class History extends OnePort {
        @Override
        public Integer call() {
            return request("GET", portPath("/history"), null, View.HISTORY);
        }
    }
}
