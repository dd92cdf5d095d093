package io.portmesh.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.loadtest.nodeloss.PortLoad;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChurnMixTest {
    @Test
    void churnOpsAreSpreadEvenlyAtTheirShareAndEndUnboundOrDeleted() {
        IntFunction<PortLoad.End> mix = ChurnMix.of(1, 3);
        List<PortLoad.End> first = IntStream.range(0, 8).mapToObj(mix).toList();
        // churn 3 of every 4 ops; churn op j unbound when j mod 3 = 0, else deleted
        assertThat(first)
                .containsExactly(
                        PortLoad.End.BOUND,
                        PortLoad.End.UNBOUND,
                        PortLoad.End.DELETED,
                        PortLoad.End.DELETED,
                        PortLoad.End.BOUND,
                        PortLoad.End.UNBOUND,
                        PortLoad.End.DELETED,
                        PortLoad.End.DELETED);
        List<PortLoad.End> many = IntStream.range(0, 4_000).mapToObj(mix).toList();
        assertThat(many.stream().filter(e -> e != PortLoad.End.BOUND)).hasSize(3_000);
        assertThat(many.stream().filter(e -> e == PortLoad.End.DELETED)).hasSize(2_000);
    }

    @Test
    void withoutChurnEveryOpStaysBoundAndWithOnlyChurnNone() {
        assertThat(IntStream.range(0, 100).mapToObj(ChurnMix.of(2, 0))).containsOnly(PortLoad.End.BOUND);
        assertThat(IntStream.range(0, 100).mapToObj(ChurnMix.of(0, 2))).doesNotContain(PortLoad.End.BOUND);
    }
}
