package io.portmesh.agent.io;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every administrative state change of an agent's trunk, one INFO line each in a fixed format, so that a test can
 * merge the logs of the two agents of a host and prove that their trunks were never up at the same time:
 *
 * <pre>
 * trunk admin-state up at-nanos=123456789 host=esx-1 slot=a cause=start
 * trunk admin-state down at-nanos=123999999 host=esx-1 slot=a cause=change
 * </pre>
 *
 * <p>{@code at-nanos} is {@link System#nanoTime()}: CLOCK_MONOTONIC on Linux, so comparable across the processes of one
 * machine (not across machines). It is taken on the safe side: before the trunk can forward for {@code up}, after it
 * stopped for {@code down}, so the logged up-intervals contain the real ones and two that do not overlap prove that
 * the trunks did not either. {@code cause} is {@code start} (the initial state, once), {@code change} (OFPT_PORT_MOD or
 * any other admin change) or {@code close} (the agent closed its trunk while up: it forwards nothing after that; logged
 * as {@code down}). An agent that dies without closing logs nothing more: its last interval is open.
 *
 * <p>The lines go to the logger named after this class, so they can be routed or filtered on their own.
 */
public final class TrunkStateLog implements AdminStateObserver {
    private static final Logger log = LoggerFactory.getLogger(TrunkStateLog.class);
    private static final Pattern LINE =
            Pattern.compile("trunk admin-state (up|down) at-nanos=(-?\\d+) host=(\\S+) slot=(\\S+)");

    /** One logged change: the trunk of {@code host}'s {@code slot} is up (or down) from {@code atNanos} on. */
    public record Transition(boolean up, long atNanos, String host, String slot) {
        public Transition {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(slot, "slot");
        }
    }

    private final String host;
    private final String slot;

    public TrunkStateLog(String host, String slot) {
        this.host = Objects.requireNonNull(host, "host");
        this.slot = Objects.requireNonNull(slot, "slot");
    }

    /** The trunk's initial state, once, before it can forward ({@code atNanos} taken before the trunk started). */
    public void started(boolean up, long atNanos) {
        log(up, atNanos, "start");
    }

    @Override
    public void adminStateChanged(boolean up, long atNanos) {
        log(up, atNanos, "change");
    }

    @Override
    public void portClosed(long atNanos) {
        log(false, atNanos, "close");
    }

    private void log(boolean up, long atNanos, String cause) {
        log.info("{}", format(new Transition(up, atNanos, host, slot), cause));
    }

    /** The line logged for {@code t}; {@code cause} is informational ({@link #parse} ignores it). */
    public static String format(Transition t, String cause) {
        return "trunk admin-state " + (t.up() ? "up" : "down") + " at-nanos=" + t.atNanos() + " host=" + t.host()
                + " slot=" + t.slot() + " cause=" + cause;
    }

    /**
     * The transition a log line records, found anywhere in the line (a log pattern may put a time, level, thread and
     * logger before it); empty for any other line. Fields after {@code slot=} are ignored, so the line may grow.
     */
    public static Optional<Transition> parse(String line) {
        if (line == null) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new Transition(m.group(1).equals("up"), Long.parseLong(m.group(2)), m.group(3), m.group(4)));
        } catch (NumberFormatException outOfRange) {
            return Optional.empty();
        }
    }
}
