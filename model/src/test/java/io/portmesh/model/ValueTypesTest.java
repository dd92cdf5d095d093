package io.portmesh.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueTypesTest {
    @Test
    void macParsesPrintsAndClassifies() {
        Mac mac = Mac.parse("52:54:00:AB:cd:0F");
        assertThat(mac.toString()).isEqualTo("52:54:00:ab:cd:0f");
        assertThat(mac.value()).isEqualTo(0x525400ABCD0FL);
        assertThat(Mac.parse("52-54-00-ab-cd-0f")).isEqualTo(mac);
        assertThat(Mac.of(mac.toBytes(), 0)).isEqualTo(mac);
        assertThat(mac.isMulticast()).isFalse();
        assertThat(Mac.BROADCAST.isMulticast()).isTrue();
        assertThat(Mac.parse("01:00:5e:00:00:01").isMulticast()).isTrue();
    }

    @Test
    void badMacsNameTheFieldAndTheValue() {
        for (String bad : new String[] {
            "",
            "52:54:00:ab:cd",
            "52:54:00:ab:cd:0g",
            "525400abcd0f",
            "1:2:3:4:5:6",
            "52.54.00.ab.cd.0f",
            "+2:54:00:ab:cd:0f",
            "52:54:00:ab:cd:0f:"
        }) {
            assertThatThrownBy(() -> Mac.parse("mac", bad))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageStartingWith("mac: ")
                    .satisfies(
                            e -> assertThat(((ValidationException) e).field()).isEqualTo("mac"));
        }
        assertThatThrownBy(() -> Mac.parseUnicast("mac", "ff:ff:ff:ff:ff:ff")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> Mac.parseUnicast("mac", "00:00:00:00:00:00")).hasMessageContaining("not a valid");
    }

    @Test
    void vlanAndVniRanges() {
        assertThat(new VlanId(1).value()).isEqualTo(1);
        assertThat(new VlanId(4094).value()).isEqualTo(4094);
        assertThatThrownBy(() -> new VlanId(0)).hasMessageContaining("1..4094");
        assertThatThrownBy(() -> new VlanId(4095)).hasMessageContaining("1..4094");
        assertThat(new Vni((1 << 24) - 1).value()).isEqualTo(16_777_215);
        assertThatThrownBy(() -> new Vni(1 << 24))
                .hasMessageStartingWith("vni: ")
                .hasMessageContaining("24-bit");
        assertThatThrownBy(() -> new Vni(0)).isInstanceOf(ValidationException.class);
    }

    @Test
    void ipv4AndTunnelEndpoints() {
        Ipv4 ip = Ipv4.parse("10.1.2.254");
        assertThat(ip.toString()).isEqualTo("10.1.2.254");
        assertThat(ip.value()).isEqualTo(0x0A0102FE);
        assertThat(Ipv4.parse("255.255.255.255").toString()).isEqualTo("255.255.255.255");
        for (String bad : new String[] {"10.1.2", "10.1.2.256", "a.b.c.d", "10..2.3", "1.2.3.4.5"}) {
            assertThatThrownBy(() -> Ipv4.parse("tunnelIp", bad)).hasMessageStartingWith("tunnelIp: ");
        }
        assertThatThrownBy(() -> Ipv4.parseTunnelEndpoint("tunnelIp", "239.1.1.1"))
                .hasMessageContaining("cannot be");
        assertThatThrownBy(() -> Ipv4.parseTunnelEndpoint("tunnelIp", "0.0.0.0"))
                .hasMessageContaining("cannot be");
    }

    @Test
    void idsAreUrlAndJournalSafe() {
        assertThat(HostId.of("esx-01.dc1").value()).isEqualTo("esx-01.dc1");
        assertThatThrownBy(() -> HostId.of("")).hasMessageStartingWith("hostId: ");
        assertThatThrownBy(() -> PortId.of("a/b")).hasMessageStartingWith("portId: ");
        assertThatThrownBy(() -> SwitchId.of("-x")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> SwitchId.of("x".repeat(65))).isInstanceOf(ValidationException.class);
    }

    @Test
    void dpidPrintsLikeOpenVswitch() {
        Dpid d = new Dpid(0xABL);
        assertThat(d.toString()).isEqualTo("00000000000000ab");
        assertThat(Dpid.parse("00:00:00:00:00:00:00:ab")).isEqualTo(d);
        assertThat(Dpid.parse("ffffffffffffffff").value()).isEqualTo(-1L);
        assertThatThrownBy(() -> Dpid.parse("xyz")).isInstanceOf(ValidationException.class);
    }
}
