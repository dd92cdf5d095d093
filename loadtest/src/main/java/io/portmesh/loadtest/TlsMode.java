package io.portmesh.loadtest;

import java.util.List;
import java.util.Locale;

/**
 * A benchmark's {@code --tls}: its load with TLS off, on, or both one after the other in the same run (off first), so
 * that the cost of TLS is measured on the same machine under the same conditions.
 */
public enum TlsMode {
    OFF(List.of(false)),
    ON(List.of(true)),
    BOTH(List.of(false, true));

    private final List<Boolean> runs;

    TlsMode(List<Boolean> runs) {
        this.runs = runs;
    }

    /** The runs to make, in order: {@code false} for TLS off, {@code true} for on. */
    public List<Boolean> runs() {
        return runs;
    }

    /**
     * {@code off}, {@code on} or {@code both} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values for anything else
     */
    public static TlsMode parse(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "off" -> OFF;
            case "on" -> ON;
            case "both" -> BOTH;
            default -> throw new IllegalArgumentException("--tls must be off, on or both, not '" + value + "'");
        };
    }

    /** Its name as given on the command line. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }
}
