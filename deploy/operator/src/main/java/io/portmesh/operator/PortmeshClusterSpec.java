package io.portmesh.operator;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** What the user asks for. */
public class PortmeshClusterSpec {
    /** One Cassandra node's CQL address, as the controller's portmesh.cassandra.contact-point takes it. */
    public static final String HOST_PORT = "^[^:,\\s]+:[0-9]+$";

    @Required
    @Min(1)
    @JsonPropertyDescription(
            "Controller nodes: added at once, removed one pod at a time, each leaving the cluster before the next")
    private int replicas = 3;

    @Required
    @JsonPropertyDescription("The controller image (built with ./mvnw -Pimage); a change is rolled one pod at a time")
    private String image;

    @Required
    @Pattern(HOST_PORT)
    @JsonPropertyDescription("host:port of a Cassandra node's CQL port (the driver finds the rest of the ring from it)")
    private String cassandraContactPoints;

    @JsonPropertyDescription("Extra JVM options of the controllers (JDK_JAVA_OPTIONS), e.g. -XX:MaxRAMPercentage=75")
    private String jvmOptions;

    @JsonPropertyDescription(
            "A Secret mounted at /etc/portmesh/tls; the operator does not turn TLS on (its own calls to the REST API are plain and unauthenticated): for TLS use the production overlay of deploy/")
    private String tlsSecretName;

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public String getCassandraContactPoints() {
        return cassandraContactPoints;
    }

    public void setCassandraContactPoints(String cassandraContactPoints) {
        this.cassandraContactPoints = cassandraContactPoints;
    }

    public String getJvmOptions() {
        return jvmOptions;
    }

    public void setJvmOptions(String jvmOptions) {
        this.jvmOptions = jvmOptions;
    }

    public String getTlsSecretName() {
        return tlsSecretName;
    }

    public void setTlsSecretName(String tlsSecretName) {
        this.tlsSecretName = tlsSecretName;
    }
}
