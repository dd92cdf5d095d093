package io.portmesh.agent.table;

import static io.portmesh.agent.table.Of.F;
import static io.portmesh.agent.table.Of.add;
import static io.portmesh.agent.table.Of.addWithFlags;
import static io.portmesh.agent.table.Of.any;
import static io.portmesh.agent.table.Of.apply;
import static io.portmesh.agent.table.Of.ethDst;
import static io.portmesh.agent.table.Of.match;
import static io.portmesh.agent.table.Of.metadata;
import static io.portmesh.agent.table.Of.output;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFTableStatsEntry;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

class ExpiryAndStatsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Set<OFFlowModFlags> REM = Set.of(OFFlowModFlags.SEND_FLOW_REM);

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<OFFlowRemoved> removed = new ArrayList<>();
    private final SwitchTables tables = new SwitchTables(2, removed::add, clock::get);

    private static Match l2(long vni, String mac) {
        return ethDst(metadata(match(), vni), mac).build();
    }

    private FlowEntry lookup(long vni, String mac) {
        long[] key = new long[KeyLayout.WORDS];
        KeyLayout.encode(key, 1, vni, 0, 0, MacAddress.of(mac).getLong(), 0, 0x0800, 0, 0, 0, 0);
        FlowRule r = tables.table(1).lookup(key);
        return r == null ? null : r.entry;
    }

    private long advance(long seconds) {
        return clock.addAndGet(seconds * SECOND);
    }

    @Test
    void hardTimeoutRemovesTheFlowAndReportsIt() {
        tables.apply(addWithFlags(1, 100, l2(5, "00:00:00:00:00:01"), REM, apply(output(1)))
                .setHardTimeout(10)
                .setCookie(U64.of(3))
                .build());
        lookup(5, "00:00:00:00:00:01").hit(100);

        assertThat(tables.expire(advance(9))).isZero();
        assertThat(tables.expire(advance(1))).isEqualTo(1);

        assertThat(tables.flowCount()).isZero();
        assertThat(removed).singleElement().satisfies(r -> {
            assertThat(r.getReason()).isEqualTo(OFFlowRemovedReason.HARD_TIMEOUT);
            assertThat(r.getCookie().getValue()).isEqualTo(3);
            assertThat(r.getDurationSec()).isEqualTo(10);
            assertThat(r.getPacketCount().getValue()).isEqualTo(1);
            assertThat(r.getByteCount().getValue()).isEqualTo(100);
            assertThat(r.getHardTimeout()).isEqualTo(10);
            assertThat(r.getPriority()).isEqualTo(100);
        });
    }

    @Test
    void idleTimeoutIsPostponedByTraffic() {
        tables.apply(addWithFlags(1, 100, l2(5, "00:00:00:00:00:01"), REM, apply(output(1)))
                .setIdleTimeout(5)
                .build());

        tables.expire(advance(3));
        lookup(5, "00:00:00:00:00:01").hit(60);
        assertThat(tables.expire(advance(3))).as("used since the last pass").isZero();
        assertThat(tables.expire(advance(4))).as("idle 4s of 5").isZero();
        assertThat(tables.expire(advance(1))).isEqualTo(1);

        assertThat(removed).singleElement().satisfies(r -> {
            assertThat(r.getReason()).isEqualTo(OFFlowRemovedReason.IDLE_TIMEOUT);
            assertThat(r.getIdleTimeout()).isEqualTo(5);
        });
    }

    @Test
    void expiryWithoutSendFlowRemIsSilentAndPermanentFlowsStay() {
        tables.apply(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setIdleTimeout(1)
                .build());
        tables.apply(add(1, 100, l2(5, "00:00:00:00:00:02"), apply(output(1))).build());

        assertThat(tables.expire(advance(100))).isEqualTo(1);
        assertThat(removed).isEmpty();
        assertThat(tables.flowCount()).isEqualTo(1);
        assertThat(lookup(5, "00:00:00:00:00:02")).isNotNull();
    }

    @Test
    void flowStatsReportCountersDurationAndFilter() {
        tables.apply(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1)))
                .setCookie(U64.of(0x10))
                .build());
        tables.apply(add(1, 100, l2(6, "00:00:00:00:00:01"), apply(output(2)))
                .setCookie(U64.of(0x20))
                .build());
        tables.apply(add(0, 0, any()).build());
        FlowEntry e = lookup(5, "00:00:00:00:00:01");
        e.hit(100);
        e.hit(50);
        advance(2);

        var byMatch = tables.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.of(1))
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(metadata(match(), 5).build())
                .build());
        assertThat(byMatch).singleElement().satisfies(s -> {
            assertThat(s.getPacketCount().getValue()).isEqualTo(2);
            assertThat(s.getByteCount().getValue()).isEqualTo(150);
            assertThat(s.getDurationSec()).isEqualTo(2);
            assertThat(s.getCookie().getValue()).isEqualTo(0x10);
        });

        var byOutPort = tables.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.of(2))
                .setOutGroup(OFGroup.ANY)
                .setMatch(any())
                .build());
        assertThat(byOutPort).extracting(s -> s.getCookie().getValue()).containsExactly(0x20L);

        var byCookie = tables.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setCookie(U64.of(0x10))
                .setCookieMask(U64.of(0xF0))
                .setMatch(any())
                .build());
        assertThat(byCookie).extracting(OFFlowStatsEntry::getPriority).containsExactly(100);

        var all = tables.flowStats(F.buildFlowStatsRequest()
                .setTableId(TableId.ALL)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setMatch(any())
                .build());
        assertThat(all).hasSize(3);
    }

    @Test
    void tableStatsCountLookupsAndMatches() {
        tables.apply(add(1, 100, l2(5, "00:00:00:00:00:01"), apply(output(1))).build());
        lookup(5, "00:00:00:00:00:01").hit(10);
        tables.table(1).miss();
        tables.table(1).miss();

        List<OFTableStatsEntry> stats = tables.tableStats();
        assertThat(stats).hasSize(2);
        OFTableStatsEntry t1 = stats.get(1);
        assertThat(t1.getTableId().getValue()).isEqualTo((short) 1);
        assertThat(t1.getActiveCount()).isEqualTo(1);
        assertThat(t1.getMatchedCount().getValue()).isEqualTo(1);
        assertThat(t1.getLookupCount().getValue()).isEqualTo(3);

        // Matches of a removed flow still count.
        tables.apply(F.buildFlowDelete().setTableId(TableId.ALL).setMatch(any()).build());
        assertThat(tables.tableStats().get(1).getMatchedCount().getValue()).isEqualTo(1);
        assertThat(tables.tableStats().get(1).getActiveCount()).isZero();
    }
}
