package io.portmesh.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VlanAllocatorTest {
    private final HostId host = HostId.of("esx-1");

    @Test
    void allocatesLowestFreeAndIsImmutable() {
        VlanAllocator empty = VlanAllocator.empty();
        VlanId first = empty.next(host);
        assertThat(first.value()).isEqualTo(1);
        VlanAllocator one = empty.allocate(first);
        assertThat(empty.usedCount()).isZero();
        assertThat(one.next(host).value()).isEqualTo(2);
        VlanAllocator gap = VlanAllocator.of(List.of(new VlanId(1), new VlanId(2), new VlanId(3)))
                .release(new VlanId(2));
        assertThat(gap.next(host).value()).isEqualTo(2);
        assertThatThrownBy(() -> one.allocate(first)).hasMessageContaining("already in use");
    }

    @Test
    void the4095thBindingIsRefusedWithAClearMessage() {
        VlanAllocator a = VlanAllocator.empty();
        for (int i = 0; i < 4094; i++) {
            a = a.allocate(a.next(host));
        }
        assertThat(a.usedCount()).isEqualTo(4094);
        VlanAllocator full = a;
        assertThatThrownBy(() -> full.next(host))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("esx-1")
                .hasMessageContaining("4094");
        assertThat(full.release(new VlanId(17)).next(host).value()).isEqualTo(17);
    }
}
