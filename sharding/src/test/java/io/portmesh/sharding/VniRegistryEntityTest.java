package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sharding.lswitch.VniRegistryEntity;
import io.portmesh.sharding.service.ConflictException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VniRegistryEntityTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private EventSourcedBehaviorTestKit<VniRegistryEntity.Command, VniRegistryEntity.Event, VniRegistryEntity.State>
            kit;

    @BeforeEach
    void setUp() {
        kit = EventSourcedBehaviorTestKit.create(testKit.system(), VniRegistryEntity.create(VniRegistryEntity.ID));
        kit.clear();
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aRequestedVniIsGrantedAndRefusedToAnotherSwitchNamingTheFieldAndTheOwner() {
        var blue = claim("blue", 100);
        assertThat(blue.event()).isEqualTo(new VniRegistryEntity.Claimed("blue", 100));
        assertThat(blue.reply().getValue()).isEqualTo(100);

        var red = claim("red", 100);
        assertThat(red.hasNoEvents()).isTrue();
        Throwable e = Errors.toException(red.reply().getError());
        assertThat(e).isInstanceOf(ConflictException.class);
        assertThat(e.getMessage()).startsWith("vni: ").contains("100").contains("blue");
        assertThat(kit.getState().bySwitch()).containsOnlyKeys(100);
    }

    @Test
    void allocationStartsAt5000AndSkipsVnisInUse() {
        assertThat(claim("a", 0).reply().getValue()).isEqualTo(VniRegistryEntity.FIRST_ALLOCATED);
        claim("b", 5001); // an operator picked the next one by hand
        claim("c", 5003);
        assertThat(claim("d", 0).reply().getValue()).isEqualTo(5002);
        assertThat(claim("e", 0).reply().getValue()).isEqualTo(5004);
        // VNIs below the allocation range do not influence it
        claim("low", 7);
        assertThat(claim("f", 0).reply().getValue()).isEqualTo(5005);
    }

    @Test
    void aClaimIsIdempotentPerSwitch() {
        int vni = claim("blue", 0).reply().getValue();

        var retried = claim("blue", 0);
        assertThat(retried.hasNoEvents()).isTrue();
        assertThat(retried.reply().getValue()).isEqualTo(vni);

        var sameExplicit = claim("blue", vni);
        assertThat(sameExplicit.hasNoEvents()).isTrue();
        assertThat(sameExplicit.reply().getValue()).isEqualTo(vni);

        var other = claim("blue", 42);
        assertThat(other.hasNoEvents()).isTrue();
        assertThat(Errors.toException(other.reply().getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("blue")
                .hasMessageContaining(Integer.toString(vni));
        assertThat(kit.getState().bySwitch()).hasSize(1);
    }

    @Test
    void aReleasedVniIsReusedAndReleaseIsIdempotent() {
        claim("a", 0);
        claim("b", 0);
        var released = release("a");
        assertThat(released.event()).isEqualTo(new VniRegistryEntity.Released("a", 5000));
        assertThat(released.reply().getValue()).isEqualTo(5000);

        var again = release("a");
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().getValue()).isEqualTo(0);

        assertThat(claim("c", 0).reply().getValue()).isEqualTo(5000);
        // a released VNI may also be requested explicitly by another switch
        release("b");
        assertThat(claim("d", 5001).reply().getValue()).isEqualTo(5001);

        kit.restart();
        assertThat(kit.getState().bySwitch()).containsEntry(5000, "c").containsEntry(5001, "d");
        assertThat(kit.getState().bySwitch()).hasSize(2);
        // after recovery the allocator still skips what is in use
        assertThat(claim("e", 0).reply().getValue()).isEqualTo(5002);
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    VniRegistryEntity.Command, VniRegistryEntity.Event, VniRegistryEntity.State, StatusReply<Integer>>
            claim(String sw, int vni) {
        return kit.runCommand(r -> new VniRegistryEntity.Claim(sw, vni, r));
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    VniRegistryEntity.Command, VniRegistryEntity.Event, VniRegistryEntity.State, StatusReply<Integer>>
            release(String sw) {
        return kit.runCommand(r -> new VniRegistryEntity.Release(sw, r));
    }
}
