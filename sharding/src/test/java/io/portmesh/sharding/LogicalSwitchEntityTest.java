package io.portmesh.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.sharding.lswitch.LogicalSwitchEntity;
import io.portmesh.sharding.lswitch.SwitchMembers;
import io.portmesh.sharding.lswitch.SwitchState;
import io.portmesh.sharding.service.ConflictException;
import io.portmesh.sharding.service.NotFoundException;
import io.portmesh.sharding.service.SwitchInfo;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The switch's own rules; bindings (which ask Host entities) run on a cluster in {@link LogicalPortEntityTest}. */
class LogicalSwitchEntityTest {
    static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
    private static final String MAC_1 = "52:54:00:00:00:01";
    private static final String MAC_2 = "52:54:00:00:00:02";
    private EventSourcedBehaviorTestKit<LogicalSwitchEntity.Command, LogicalSwitchEntity.Event, SwitchState> kit;

    @BeforeEach
    void setUp() {
        kit = EventSourcedBehaviorTestKit.create(
                testKit.system(),
                LogicalSwitchEntity.create(
                        "blue", ClusterSharding.get(testKit.system()), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        kit.clear();
    }

    @AfterAll
    static void tearDown() {
        testKit.shutdownTestKit();
    }

    @Test
    void createsOnceAndRefusesASecondCreateAsAConflict() {
        var r = create(100);
        assertThat(r.event()).isEqualTo(new LogicalSwitchEntity.Created(100));
        assertThat(r.reply().getValue()).isEqualTo(new SwitchInfo("blue", 100, List.of()));

        var again = create(200);
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(Errors.toException(again.reply().getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("blue")
                .hasMessageContaining("already exists")
                .hasMessageContaining("100");
        assertThat(kit.getState().vni()).isEqualTo(100);
    }

    @Test
    void anUnknownSwitchIsNotFoundAndTakesNoPorts() {
        var get = kit.<StatusReply<SwitchInfo>>runCommand(LogicalSwitchEntity.Get::new);
        assertThat(Errors.toException(get.reply().getError())).isInstanceOf(NotFoundException.class);

        var add = addPort("p1", MAC_1);
        assertThat(add.hasNoEvents()).isTrue();
        assertThat(Errors.toException(add.reply().getError())).isInstanceOf(NotFoundException.class);

        var delete = kit.<StatusReply<Integer>>runCommand(LogicalSwitchEntity.Delete::new);
        assertThat(delete.hasNoEvents()).isTrue();
        assertThat(Errors.toException(delete.reply().getError())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void addsPortsAndAnswersWithTheVni() {
        create(100);
        var r1 = addPort("p1", MAC_1);
        assertThat(r1.event()).isEqualTo(new LogicalSwitchEntity.PortAdded("p1", MAC_1));
        assertThat(r1.reply().getValue()).isEqualTo(100);
        addPort("p2", MAC_2);

        var get = kit.<StatusReply<SwitchInfo>>runCommand(LogicalSwitchEntity.Get::new);
        assertThat(get.reply().getValue().ports()).containsExactly("p1", "p2");
    }

    // A duplicate MAC is tested with real port entities (LogicalPortEntityTest): the switch asks the owner's port
    // entity whether it exists before refusing, which this test kit's system does not run.

    @Test
    void reAddingTheSamePortIsIdempotent() {
        create(100);
        addPort("p1", MAC_1);
        var again = addPort("p1", MAC_1);
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(again.reply().getValue()).isEqualTo(100);
        assertThat(kit.getState().members()).containsOnlyKeys("p1");
    }

    @Test
    void deleteIsRefusedWhilePortsExistThenAllowedAndTheSwitchCanBeRecreated() {
        create(100);
        addPort("p1", MAC_1);

        var refused = kit.<StatusReply<Integer>>runCommand(LogicalSwitchEntity.Delete::new);
        assertThat(refused.hasNoEvents()).isTrue();
        assertThat(Errors.toException(refused.reply().getError()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("1 ports");
        assertThat(kit.getState().exists()).isTrue();

        var removed = kit.<StatusReply<Done>>runCommand(r -> new LogicalSwitchEntity.RemovePort("p1", r));
        assertThat(removed.event()).isEqualTo(new LogicalSwitchEntity.PortRemoved("p1"));
        var removedAgain = kit.<StatusReply<Done>>runCommand(r -> new LogicalSwitchEntity.RemovePort("p1", r));
        assertThat(removedAgain.hasNoEvents()).isTrue();
        assertThat(removedAgain.reply().isSuccess()).isTrue();

        var deleted = kit.<StatusReply<Integer>>runCommand(LogicalSwitchEntity.Delete::new);
        assertThat(deleted.event()).isEqualTo(new LogicalSwitchEntity.Deleted());
        assertThat(deleted.reply().getValue()).isEqualTo(100); // the VNI to release
        var gone = kit.<StatusReply<SwitchInfo>>runCommand(LogicalSwitchEntity.Get::new);
        assertThat(Errors.toException(gone.reply().getError())).isInstanceOf(NotFoundException.class);

        var recreated = create(300);
        assertThat(recreated.event()).isEqualTo(new LogicalSwitchEntity.Created(300));
        assertThat(recreated.reply().getValue()).isEqualTo(new SwitchInfo("blue", 300, List.of()));
        // the old member's MAC is free again
        assertThat(addPort("p9", MAC_1).reply().isSuccess()).isTrue();

        kit.restart();
        assertThat(kit.getState().vni()).isEqualTo(300);
        assertThat(kit.getState().members()).containsOnlyKeys("p9");
    }

    @Test
    void membersAreAskedForWithTheMembershipVersionAndABindingMakesANewVersion() {
        create(100);
        addPort("p1", MAC_1);
        var members = kit.<StatusReply<SwitchMembers>>runCommand(LogicalSwitchEntity.GetMembers::new);
        assertThat(members.reply().getValue()).isEqualTo(new SwitchMembers(100, 0, List.of())); // p1 is not bound

        SwitchState bound = kit.getState().rebound(new SwitchMembers.Member("p1", MAC_1, "esx-1", "10.0.0.1"));
        assertThat(bound.boundMembers().version()).isEqualTo(1);
        assertThat(bound.boundMembers().members())
                .extracting(SwitchMembers.Member::host)
                .containsExactly("esx-1");
        SwitchState unbound = bound.rebound(new SwitchMembers.Member("p1", MAC_1, null, null));
        assertThat(unbound.boundMembers()).isEqualTo(new SwitchMembers(100, 2, List.of()));
    }

    @Test
    void aBindingForAPortOutsideTheSwitchIsNotFound() {
        create(100);
        var r = kit.<StatusReply<LogicalSwitchEntity.HostVersions>>runCommand(
                replyTo -> new LogicalSwitchEntity.SetBinding("nope", "esx-1", "10.0.0.1", false, replyTo));
        assertThat(r.hasNoEvents()).isTrue();
        assertThat(Errors.toException(r.reply().getError()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("nope");
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    LogicalSwitchEntity.Command, LogicalSwitchEntity.Event, SwitchState, StatusReply<SwitchInfo>>
            create(int vni) {
        return kit.runCommand(r -> new LogicalSwitchEntity.Create(vni, r));
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    LogicalSwitchEntity.Command, LogicalSwitchEntity.Event, SwitchState, StatusReply<Integer>>
            addPort(String port, String mac) {
        return kit.runCommand(r -> new LogicalSwitchEntity.AddPort(port, mac, r));
    }
}
