package io.portmesh.persistence;

import com.typesafe.config.Config;
import java.util.Locale;

/**
 * {@code portmesh.cassandra.schema.install} ({@code PORTMESH_CASSANDRA_SCHEMA_INSTALL}): whether a controller applies
 * the schema itself when it starts. {@code auto} (local runs, the demo, tests: one node starts first): it does,
 * installing only what is missing. {@code off} (Kubernetes, where the pods of a StatefulSet start in parallel and
 * Cassandra handles concurrent schema changes badly): it does not, and is not ready until the schema exists; one
 * {@code portmesh-controller schema install} (the Job of deploy/base) installs it.
 */
public enum SchemaInstallSetting {
    AUTO,
    OFF;

    public static final String PATH = "portmesh.cassandra.schema.install";

    public static SchemaInstallSetting of(Config config) {
        String value = config.getString(PATH);
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PATH + " (PORTMESH_CASSANDRA_SCHEMA_INSTALL) is '" + value
                    + "'; it must be auto (the controller installs the schema at start) or off (it waits for"
                    + " 'portmesh-controller schema install' to install it)");
        }
    }
}
