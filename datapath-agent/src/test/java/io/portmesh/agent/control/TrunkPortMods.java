package io.portmesh.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.portmesh.agent.pipeline.Pipeline;
import io.portmesh.openflow.OfConnection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortMod;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

/** What a controller does to an HA pair's trunks in these tests: OFPT_PORT_MOD on port 1, then a barrier. */
final class TrunkPortMods {
    private TrunkPortMods() {}

    /** Makes {@code c} the agent's MASTER (needed before any PORT_MOD). */
    static void becomeMaster(OfConnection c, long generation) throws Exception {
        var role = c.factory()
                .buildRoleRequest()
                .setRole(OFControllerRole.ROLE_MASTER)
                .setGenerationId(U64.of(generation))
                .build();
        assertThat(c.request(role, OFRoleReply.class)
                        .get(ScriptedController.WAIT_SECONDS, TimeUnit.SECONDS)
                        .getRole())
                .isEqualTo(OFControllerRole.ROLE_MASTER);
    }

    /**
     * What a controller does to activate an agent of a pair: the activation with {@code epoch} (the experimenter
     * message), then the trunk up, and waits for the barrier after them; no error came back. The trunk's state is not
     * checked: the pair fence may have taken it down again already.
     */
    static void activate(ScriptedController ctl, OfConnection c, DatapathAgent agent, long epoch) throws Exception {
        io.netty.buffer.ByteBuf act =
                io.netty.buffer.Unpooled.wrappedBuffer(io.portmesh.openflow.plan.TrunkWire.activation(epoch));
        act.setInt(4, (int) c.nextXid());
        assertThat(c.sendEncoded(act)).isTrue();
        activateWithoutEpoch(ctl, c, agent);
    }

    /** A trunk-up with no activation before it (as to a host with one agent), waited for as {@link #activate}. */
    static void activateWithoutEpoch(ScriptedController ctl, OfConnection c, DatapathAgent agent) throws Exception {
        ScriptedController.sendAndSync(c, List.of(portMod(c, agent, true)));
        assertThat(ctl.received(c)).noneMatch(m -> m instanceof OFErrorMsg);
    }

    /**
     * Sets the trunk of {@code agent} up or down through {@code c} and waits for the barrier after it: when this
     * returns the change is applied, and after an up the standby replay is done.
     */
    static void setTrunk(ScriptedController ctl, OfConnection c, DatapathAgent agent, boolean up) throws Exception {
        ScriptedController.sendAndSync(c, List.of(portMod(c, agent, up)));
        assertThat(ctl.received(c)).noneMatch(m -> m instanceof OFErrorMsg);
        assertThat(agent.ports().get(Pipeline.TRUNK_PORT).isAdminUp()).isEqualTo(up);
    }

    private static OFPortMod portMod(OfConnection c, DatapathAgent agent, boolean up) {
        return c.factory()
                .buildPortMod()
                .setXid(c.nextXid())
                .setPortNo(OFPort.of(Pipeline.TRUNK_PORT))
                .setHwAddr(MacAddress.of(
                        agent.ports().get(Pipeline.TRUNK_PORT).hwAddr().value()))
                .setConfig(up ? Set.of() : Set.of(OFPortConfig.PORT_DOWN))
                .setMask(Set.of(OFPortConfig.PORT_DOWN))
                .build();
    }
}
