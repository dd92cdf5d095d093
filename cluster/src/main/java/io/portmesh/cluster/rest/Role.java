package io.portmesh.cluster.rest;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpMethod;

/** What a bearer token may do with the REST API: read (GET and HEAD), or everything. */
public enum Role {
    READ_ONLY("read-only"),
    ADMIN("admin");

    private final String configName;

    Role(String configName) {
        this.configName = configName;
    }

    /** The name an operator writes in the tokens file. */
    public String configName() {
        return configName;
    }

    /** {@code read-only} or {@code admin}, as written in the tokens file; anything else is refused by name. */
    public static Role parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Role r : values()) {
            if (r.configName.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "'; the roles are "
                + Arrays.stream(values()).map(Role::configName).collect(Collectors.joining(" and ")));
    }

    /**
     * GET and HEAD for the read-only role (exactly those: Pekko's "safe" methods include OPTIONS and TRACE too, which
     * the API does not serve); every method for admin.
     */
    boolean allows(HttpMethod method) {
        String m = method.name();
        return this == ADMIN || m.equals("GET") || m.equals("HEAD");
    }
}
