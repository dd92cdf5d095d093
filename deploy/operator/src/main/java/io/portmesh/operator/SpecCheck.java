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
