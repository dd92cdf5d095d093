package io.portmesh.persistence;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of the Cassandra child JVM. */
final class CassandraCommandLine {

    static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

    // From the distribution's conf/jvm17-server.options: Cassandra reaches into these JDK internals.
    static final List<String> ADD_EXPORTS = List.of(
            "java.base/jdk.internal.misc",
            "java.base/jdk.internal.ref",
            "java.base/sun.nio.ch",
            "java.management.rmi/com.sun.jmx.remote.internal.rmi",
            "java.rmi/sun.rmi.registry",
            "java.rmi/sun.rmi.server",
            "java.sql/java.sql");

    static final List<String> ADD_OPENS = List.of(
            "java.base/java.lang.module",
            "java.base/jdk.internal.loader",
            "java.base/jdk.internal.ref",
            "java.base/jdk.internal.reflect",
            "java.base/jdk.internal.math",
            "java.base/jdk.internal.module",
            "java.base/jdk.internal.util.jar",
            "jdk.management/com.sun.management.internal",
            "java.base/sun.nio.ch",
            "java.base/java.io",
            "java.base/java.nio",
            "java.base/java.util.concurrent",
            "java.base/java.util",
            "java.base/java.util.concurrent.atomic",
            "java.base/java.lang",
            "java.base/java.math",
            "java.base/java.lang.reflect",
            "java.base/java.net");

    private CassandraCommandLine() {}

    static List<String> build(EmbeddedCassandraSettings settings, Path java, List<Path> classPath) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        // A small initial heap keeps the resident size near 700 MB instead of the full -Xmx.
        command.add("-Xms128m");
        command.add("-Xmx" + settings.maxHeap());
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djdk.attach.allowAttachSelf=true");
        for (String export : ADD_EXPORTS) {
            command.add("--add-exports");
            command.add(export + "=ALL-UNNAMED");
        }
        for (String open : ADD_OPENS) {
            command.add("--add-opens");
            command.add(open + "=ALL-UNNAMED");
        }
        command.add("-Dcassandra.config=" + CassandraYaml.yamlPath(settings).toUri());
        command.add("-Dlogback.configurationFile="
                + CassandraYaml.logbackPath(settings).toUri());
        command.add("-Dcassandra-foreground=yes");
        command.add("-Dcassandra.storagedir=" + settings.dataDir());
        // Skips a start-up calibration of about 2 s.
        command.add("-Dcassandra.memtable.row_overhead_size=180");
        // A single node has nobody to gossip with; waiting for gossip to settle only delays CQL.
        command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        command.add("-cp");
        command.add(CassandraClassPath.join(classPath));
        command.add(MAIN_CLASS);
        return List.copyOf(command);
    }
}
