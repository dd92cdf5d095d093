package io.portmesh.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The warnings the agents' TLS logs while open ({@code io.portmesh.agent.control.AgentTls}), as formatted. */
final class AgentTlsLines implements AutoCloseable {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.portmesh.agent.control.AgentTls");

    AgentTlsLines() {
        lines.start();
        logger.addAppender(lines);
    }

    List<String> warnings() {
        return List.copyOf(lines.list).stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
