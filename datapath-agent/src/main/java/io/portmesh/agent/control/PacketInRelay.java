package io.portmesh.agent.control;

import io.portmesh.openflow.OfConnection;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * Hands the frames the pipeline sends to the controller from a datapath thread, which must never wait for a
 * controller, to the control thread, which sends them as OFPT_PACKET_IN to every MASTER and EQUAL connection. Bounded
 * twice: past {@link DatapathAgent#MAX_PENDING_PACKET_INS} waiting for the control thread the packet-in is dropped
 * here, and a connection whose outbound buffer is above Netty's high-water mark (64 KiB by default: a controller that
 * does not read fast enough) is skipped; both are counted ({@link #stats}). Nothing is ever buffered per connection
 * beyond that, as Open vSwitch drops packet-ins past a per-connection queue limit.
 */
final class PacketInRelay {
    private final RoleTable roles;
    private final Consumer<Runnable> onControl;
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder queued = new LongAdder();
    private final LongAdder overflowed = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder unwritable = new LongAdder();

    /** @param onControl runs a task on the agent's control thread, the only one that touches {@code roles} */
    PacketInRelay(RoleTable roles, Consumer<Runnable> onControl) {
        this.roles = roles;
        this.onControl = onControl;
    }

    /** Called on a datapath thread: copies the frame and queues its packet-ins for the control thread. */
    void toController(OFPacketInReason reason, int tableId, long cookie, Match match, byte[] frame, int off, int len) {
        if (pending.incrementAndGet() > DatapathAgent.MAX_PENDING_PACKET_INS) {
            pending.decrementAndGet();
            overflowed.increment();
            return;
        }
        queued.increment();
        byte[] data = Arrays.copyOfRange(frame, off, off + len);
        onControl.accept(() -> {
            pending.decrementAndGet();
            for (OfConnection c : roles.connections()) {
                if (!roles.receivesAsync(c)) {
                    continue;
                }
                boolean written = c.isWritable()
                        && c.send(c.factory()
                                .buildPacketIn()
                                .setBufferId(OFBufferId.NO_BUFFER)
                                .setTotalLen(len)
                                .setReason(reason)
                                .setTableId(TableId.of(tableId))
                                .setCookie(U64.of(cookie))
                                .setMatch(match)
                                .setData(data)
                                .build());
                (written ? sent : unwritable).increment();
            }
        });
    }

    DatapathAgent.PacketInStats stats() {
        return new DatapathAgent.PacketInStats(
                pending.get(), queued.sum(), overflowed.sum(), sent.sum(), unwritable.sum());
    }
}
