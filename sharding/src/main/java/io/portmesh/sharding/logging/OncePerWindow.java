package io.portmesh.sharding.logging;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per key in a time window, for lines that anyone outside can make a node write (refused
 * OpenFlow connections, refused REST requests): a client retrying in a loop would otherwise write a line per attempt.
 * The lines not written are counted, and the next line of that key says how many there were. The keys live in a map
 * of at most {@code maxKeys} entries, the least recently written forgotten first, so that many keys (peer addresses)
 * cannot grow it.
 */
public final class OncePerWindow {
    /** The last line written for a key, and the ones since then that were not. */
    private static final class Written {
        final long atNanos;
        long suppressed;

        Written(long atNanos) {
            this.atNanos = atNanos;
        }
    }

    private final LongSupplier nanos;
    private final long windowNanos;
    private final Map<String, Written> written;

    public OncePerWindow(Duration window, int maxKeys, LongSupplier nanos) {
        if (window.isNegative() || maxKeys < 1) {
            throw new IllegalArgumentException("window >= 0 and maxKeys >= 1: " + window + ", " + maxKeys);
        }
        this.nanos = nanos;
        this.windowNanos = window.toNanos();
        this.written = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** The longest text from outside {@link #printable} keeps. */
    public static final int MAX_PRINTED = 300;

    /**
     * Text that came from outside (a datapath description, a request's path), fit for a log line: control characters
     * (a forged line break) as {@code ?}, at most {@link #MAX_PRINTED} characters.
     */
    public static String printable(String outside) {
        String s = outside.replaceAll("\\p{Cntrl}", "?");
        return s.length() <= MAX_PRINTED ? s : s.substring(0, MAX_PRINTED) + "...(" + s.length() + " characters)";
    }

    /**
     * Whether a line for {@code key} may be written now: empty when one was within the window (this one is counted
     * as not written), else how many were not written since the last line of that key.
     */
    public OptionalLong admit(String key) {
        long now = nanos.getAsLong();
        synchronized (written) {
            Written last = written.get(key);
            if (last != null && now - last.atNanos < windowNanos) {
                last.suppressed++;
                return OptionalLong.empty();
            }
            written.put(key, new Written(now));
            return OptionalLong.of(last == null ? 0 : last.suppressed);
        }
    }
}
