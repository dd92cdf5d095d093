package io.portmesh.openflow;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * What a fuzz run must not cause, watched in this JVM while it runs: a thread dying of an uncaught exception, a
 * watched thread (e.g. an event loop) no longer alive at the end, and a warning or error logged by Netty (an
 * exception that reached the end of a pipeline, an event loop task that threw, a leaked buffer), by the OpenFlow
 * library (a listener that threw), or by the agent and the controller's southbound code (a message it could not
 * handle). {@link #problems()} lists what happened.
 */
public final class OfFuzzWatch implements AutoCloseable {
    private final ConcurrentLinkedQueue<String> uncaught = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> logged = new ConcurrentLinkedQueue<>();
    private final Thread.UncaughtExceptionHandler previous;
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final AppenderBase<ILoggingEvent> appender;
    private final Set<String> loggers;
    private final List<Thread> watched = new ArrayList<>();
    /** Logger name and message part of the WARN lines that are expected, each with how many arrived. */
    private final Map<String, String> tolerated = new ConcurrentHashMap<>();

    private final Map<String, LongAdder> toleratedCounts = new ConcurrentHashMap<>();

    /** @param loggers prefixes of the loggers whose WARN and ERROR lines count as problems */
    public OfFuzzWatch(Set<String> loggers) {
        this.loggers = Set.copyOf(loggers);
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.WARN) && watches(event.getLoggerName())) {
                    String message = event.getFormattedMessage();
                    String part = tolerated.get(event.getLoggerName());
                    if (event.getLevel() == Level.WARN && part != null && message.contains(part)) {
                        toleratedCounts.get(event.getLoggerName()).increment();
                        return;
                    }
                    String thrown = event.getThrowableProxy() == null
                            ? ""
                            : " (" + event.getThrowableProxy().getClassName() + ": "
                                    + event.getThrowableProxy().getMessage() + ")";
                    logged.add(event.getLevel() + " " + event.getLoggerName() + ": " + message + thrown);
                }
            }
        };
        appender.start();
        root.addAppender(appender);
    }

    /**
     * Netty, the OpenFlow library, the agent and the sharding (southbound) code: what the fuzz tests watch. The last
     * two are not in every test's JVM; watching them costs nothing there.
     */
    public static OfFuzzWatch nettyAndPortmesh() {
        return new OfFuzzWatch(Set.of("io.netty", "io.portmesh.openflow", "io.portmesh.agent", "io.portmesh.sharding"));
    }

    private boolean watches(String logger) {
        return loggers.stream().anyMatch(logger::startsWith);
    }

    /**
     * WARN lines of the logger {@code name} (exactly) that contain {@code part} are expected, not problems: they are
     * only counted ({@link #tolerated}), for the test to bound. One part per logger; {@code ""} takes every line.
     */
    public OfFuzzWatch tolerate(String name, String part) {
        tolerated.put(name, part);
        toleratedCounts.putIfAbsent(name, new LongAdder());
        return this;
    }

    /** How many expected WARN lines the logger {@code name} logged (see {@link #tolerate}). */
    public long tolerated(String name) {
        LongAdder n = toleratedCounts.get(name);
        return n == null ? 0 : n.sum();
    }

    /** Remembers the live threads whose name starts with {@code prefix}; each must still be alive at the end. */
    public int watchThreads(String prefix) {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                watched.add(t);
                n++;
            }
        }
        return n;
    }

    /** A thread (e.g. an event loop's) that must still be alive at the end. */
    public void watch(Thread thread) {
        watched.add(thread);
    }

    /** Everything that went wrong so far; empty when the run was clean. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        uncaught.forEach(u -> p.add("uncaught exception in " + u));
        logged.stream().limit(20).forEach(l -> p.add("logged " + l));
        if (logged.size() > 20) {
            p.add("... and " + (logged.size() - 20) + " more log lines");
        }
        String dead =
                watched.stream().filter(t -> !t.isAlive()).map(Thread::getName).collect(Collectors.joining(", "));
        if (!dead.isEmpty()) {
            p.add("threads died: " + dead);
        }
        return p;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        Thread.setDefaultUncaughtExceptionHandler(previous);
    }
}
