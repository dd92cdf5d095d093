package io.portmesh.agent.control;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.portmesh.agent.io.TrunkStateLog;
import io.portmesh.agent.io.TrunkStateLog.Transition;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The trunk state lines the agents of this JVM log ({@link TrunkStateLog}), captured around each test
 * ({@code @RegisterExtension}) and read back with {@link TrunkStateLog#parse}.
 */
final class TrunkLines implements BeforeEachCallback, AfterEachCallback {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(TrunkStateLog.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        lines.start();
        logger.addAppender(lines);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(lines);
    }

    /** Every line so far, as logged. */
    List<String> messages() {
        return List.copyOf(lines.list).stream()
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** The transitions of {@code host}'s {@code slot} so far, in order. */
    List<Transition> transitions(String host, String slot) {
        return messages().stream()
                .map(TrunkStateLog::parse)
                .flatMap(Optional::stream)
                .filter(t -> t.host().equals(host) && t.slot().equals(slot))
                .toList();
    }
}
