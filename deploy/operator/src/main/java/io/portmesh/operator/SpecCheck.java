package io.portmesh.operator;

import java.util.Optional;
import java.util.regex.Pattern;

/** What a PortmeshCluster's spec must hold before anything is created from it (the CRD checks it too, if installed). */
final class SpecCheck {
    private static final Pattern HOST_PORT = Pattern.compile(PortmeshClusterSpec.HOST_PORT);

    private SpecCheck() {}

    static Optional<String> problem(PortmeshClusterSpec spec) {
        if (spec == null) {
            return Optional.of("spec is missing");
        }
        if (spec.getReplicas() < 1) {
            return Optional.of("spec.replicas must be at least 1, was " + spec.getReplicas());
        }
        if (spec.getReplicas() == 2) {
            // keep-majority (docs/architecture.md 8.7) with two members: the one the budget lets a drain take leaves a
            // single node that is no majority, so a node's loss stops the cluster, as with one, at twice the cost
            return Optional.of("spec.replicas = 2 has no majority once one controller is down (the split brain "
                    + "resolver keeps the majority): use 1 (no fault tolerance) or 3 or more");
        }
        if (spec.getImage() == null || spec.getImage().isBlank()) {
            return Optional.of("spec.image is missing: the controller image to run");
        }
        if (spec.getCassandraContactPoints() == null
                || !HOST_PORT.matcher(spec.getCassandraContactPoints()).matches()) {
            return Optional.of("spec.cassandraContactPoints must be host:port of a Cassandra node, was "
                    + spec.getCassandraContactPoints());
        }
        return Optional.empty();
    }
}
