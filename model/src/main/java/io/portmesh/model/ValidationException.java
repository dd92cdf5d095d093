package io.portmesh.model;

/**
 * A value or request that breaks a rule of the model. It names the field so that the northbound API can
 * answer with a 4xx that tells the caller exactly what to fix.
 */
public final class ValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private static final int ECHO_LIMIT = 40;
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

    /**
     * How a refused value appears in a message: quoted, with control characters shown as escapes (so that a tab or a
     * newline is visible), and cut after {@value #ECHO_LIMIT} characters so that a huge value does not come back whole.
     */
    public static String echo(String value) {
        StringBuilder sb = new StringBuilder("'");
        int shown = Math.min(value.length(), ECHO_LIMIT);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('\'');
        if (value.length() > ECHO_LIMIT) {
            sb.append(" (").append(value.length()).append(" characters, cut)");
        }
        return sb.toString();
    }
}
