package io.portmesh.cluster.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code portmeshctl cluster}: the controller nodes and how the shards are spread over them. */
@Command(name = "cluster", description = "Show the controller cluster's members and shards.")
final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return PortmeshCtl.root(spec).request("GET", "/v1/cluster", null, View.CLUSTER);
    }
}
