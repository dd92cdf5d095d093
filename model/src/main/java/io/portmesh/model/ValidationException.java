package io.portmesh.model;

/**
 * A value or request that breaks a rule of the model. It names the field so that the northbound API can
 * answer with a 4xx that tells the caller exactly what to fix.
 */
public final class ValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ValidationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}
