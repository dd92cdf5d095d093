package io.portmesh.model;

import java.util.regex.Pattern;

/** The one rule for every name-like id: safe in a URL path, a Cassandra persistence id and a log line. */
final class Ids {
    static final int MAX_LENGTH = 64;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");
    private static final String RULE =
            "1-" + MAX_LENGTH + " characters, letters, digits, '.', '_' or '-', starting with a letter or digit";

    private Ids() {}

    /** Refuses rather than trims: an id with whitespace around it would be another id than the one the caller meant. */
    static String check(String field, String value) {
        if (value == null) {
            throw new ValidationException(field, "missing; an id has " + RULE);
        }
        if (value.length() > MAX_LENGTH) {
            throw new ValidationException(field, "is " + value.length() + " characters long; an id has " + RULE);
        }
        if (!ID.matcher(value).matches()) {
            String why = !value.isEmpty() && !value.equals(value.strip())
                    ? " has whitespace around it"
                    : " is not a valid id";
            throw new ValidationException(field, ValidationException.echo(value) + why + ": an id has " + RULE);
        }
        return value;
    }
}
