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

/** {@code portmeshctl switch create|list|get|delete}. */
@Command(
        name = "switch",
        description = "Logical switches (one VXLAN network each).",
        subcommands = {
            SwitchCommands.Create.class,
            SwitchCommands.ListAll.class,
            SwitchCommands.Get.class,
            SwitchCommands.Delete.class
        })
final class SwitchCommands {
    private SwitchCommands() {}

    @Command(name = "create", description = "Create a logical switch; its name is its id.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Switch name: 1-64 letters, digits, '.', '_' or '-'.")
        String name;

        @Option(names = "--vni", paramLabel = "VNI", description = "VXLAN network id (allocated when absent).")
        Integer vni;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (vni != null) {
                body.put("vni", vni);
            }
            return PortmeshCtl.root(spec).request("POST", "/v1/switches", body, View.SWITCH);
        }
    }

    @Command(name = "list", description = "List logical switches.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec).request("GET", "/v1/switches", null, View.SWITCH);
        }
    }

    @Command(name = "get", description = "Show one logical switch.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "SWITCH", description = "Switch id.")
        String id;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec).request("GET", "/v1/switches/" + segment(id), null, View.SWITCH);
        }
    }

    @Command(name = "delete", description = "Delete a logical switch (refused while it has ports).")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "SWITCH", description = "Switch id.")
        String id;

        @Override
        public Integer call() {
            return PortmeshCtl.root(spec).request("DELETE", "/v1/switches/" + segment(id), null, View.SWITCH);
        }
    }
}
