package io.portmesh.model;

import java.util.regex.Pattern;

/** The one rule for every name-like id: safe in a URL path, a Cassandra persistence id and a log line. */
final class Ids {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Ids() {}

    static String check(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new ValidationException(
                    field,
                    "'" + value
                            + "' is not a valid id: 1-64 characters, letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }
}
