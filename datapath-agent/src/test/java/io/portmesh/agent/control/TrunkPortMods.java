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
     * Sets the trunk of {@code agent} up or down through {@code c} and waits for the barrier after it: when this
     * returns the change is applied, and after an up the standby replay is done.
     */
    static void setTrunk(ScriptedController ctl, OfConnection c, DatapathAgent agent, boolean up) throws Exception {
        OFPortMod mod = c.factory()
                .buildPortMod()
                .setXid(c.nextXid())
                .setPortNo(OFPort.of(Pipeline.TRUNK_PORT))
                .setHwAddr(MacAddress.of(
                        agent.ports().get(Pipeline.TRUNK_PORT).hwAddr().value()))
                .setConfig(up ? Set.of() : Set.of(OFPortConfig.PORT_DOWN))
                .setMask(Set.of(OFPortConfig.PORT_DOWN))
                .build();
        ScriptedController.sendAndSync(c, List.of(mod));
        assertThat(ctl.received(c)).noneMatch(m -> m instanceof OFErrorMsg);
        assertThat(agent.ports().get(Pipeline.TRUNK_PORT).isAdminUp()).isEqualTo(up);
    }
}
