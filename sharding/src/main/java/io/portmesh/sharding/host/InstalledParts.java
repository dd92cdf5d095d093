package io.portmesh.sharding.host;

import io.portmesh.sharding.southbound.SessionCommand;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Joins the parts of an agent slot's read ({@link HostProtocol.Installed} with {@code more}, see
 * {@link SessionCommand#PART_BYTES}) into the whole read. One read per slot is gathered at a time: a part of another
 * session or sequence number drops what was gathered, since a slot only wants its latest read (and asks again when a
 * read goes missing). Kept in memory only: a read is never persisted.
 */
final class InstalledParts {
    private static final byte[] NONE = new byte[0];

    private final Map<String, Gathering> bySlot = new HashMap<>();

    /** @return the whole read once its last part arrived (the part itself when it is whole), else empty */
    Optional<HostProtocol.Installed> add(String slot, HostProtocol.Installed part) {
        Gathering g = bySlot.get(slot);
        if (g != null && (!g.session.equals(part.session()) || g.seq != part.seq())) {
            bySlot.remove(slot);
            g = null;
        }
        if (g == null && !part.more()) {
            return Optional.of(part);
        }
        if (g == null) {
            g = new Gathering(part.session(), part.seq());
            bySlot.put(slot, g);
        }
        g.flows.writeBytes(part.flowStats() == null ? NONE : part.flowStats());
        g.groups.writeBytes(part.groupDesc() == null ? NONE : part.groupDesc());
        if (part.more()) {
            return Optional.empty();
        }
        bySlot.remove(slot);
        return Optional.of(new HostProtocol.Installed(
                part.session(), part.seq(), g.flows.toByteArray(), g.groups.toByteArray(), part.portDesc(), false));
    }

    /** Whether a read of {@code slot} is being gathered (for tests). */
    boolean gathering(String slot) {
        return bySlot.containsKey(slot);
    }

    private static final class Gathering {
        final ActorRef<SessionCommand> session;
        final long seq;
        final ByteArrayOutputStream flows = new ByteArrayOutputStream();
        final ByteArrayOutputStream groups = new ByteArrayOutputStream();

        Gathering(ActorRef<SessionCommand> session, long seq) {
            this.session = session;
            this.seq = seq;
        }
    }
}
