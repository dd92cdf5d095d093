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
        assertThat(Mac.parse("52:54:00:ab:cd:0f")).isEqualTo(mac);
        assertThat(Mac.parse("52:54:00:AB:CD:0F")).as("uppercase is accepted").isEqualTo(mac);
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
            "52:54:00:ab:cd:0f:",
            "52:54:00:ab:cd:\uff10f", // a full-width digit
            "52:54:00:ab:cd;0f"
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

    /** The spellings other tools accept and the API refuses, each with the reason in the message. */
    @Test
    void macSpellingsOtherThanColonHexAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Mac.parse("mac", " 52:54:00:ab:cd:0f"))
                .hasMessage("mac: ' 52:54:00:ab:cd:0f' has whitespace around it; write a MAC address exactly like"
                        + " 52:54:00:12:34:56 (':' separators, hex digits)");
        assertThatThrownBy(() -> Mac.parse("mac", "52:54:00:ab:cd:0f\t"))
                .hasMessageStartingWith("mac: '52:54:00:ab:cd:0f\\t' has whitespace around it");
        assertThatThrownBy(() -> Mac.parse("mac", "52-54-00-ab-cd-0f")).hasMessageContaining("uses '-' separators");
        assertThatThrownBy(() -> Mac.parse("mac", "5254.00ab.cd0f")).hasMessageContaining("uses '.' separators");
        assertThatThrownBy(() -> Mac.parse("mac", "52:54:00:ab:cd:0g"))
                .hasMessageContaining("is not six two-digit hex octets");
        assertThatThrownBy(() -> Mac.parse("mac", "5".repeat(1000)))
                .hasMessageContaining("(1000 characters, cut)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
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
        assertThat(Ipv4.parse("0.0.0.0").value()).isZero();
        assertThat(Ipv4.parse("10.0.100.0").toString()).isEqualTo("10.0.100.0");
        for (String bad : new String[] {
            "10.1.2",
            "10.1.2.256",
            "a.b.c.d",
            "10..2.3",
            "1.2.3.4.5",
            "1.2.3.4.",
            ".1.2.3.4",
            "1234.1.1.1",
            "+1.2.3.4",
            "-1.2.3.4",
            "1.2.3.\u0664", // an Arabic-Indic digit
            "10.0.0.1/24",
            ""
        }) {
            assertThatThrownBy(() -> Ipv4.parse("tunnelIp", bad))
                    .as(bad)
                    .isInstanceOf(ValidationException.class)
                    .hasMessageStartingWith("tunnelIp: ");
        }
        assertThatThrownBy(() -> Ipv4.parseTunnelEndpoint("tunnelIp", "239.1.1.1"))
                .hasMessageContaining("cannot be");
        assertThatThrownBy(() -> Ipv4.parseTunnelEndpoint("tunnelIp", "0.0.0.0"))
                .hasMessageContaining("cannot be");
    }

    @Test
    void ipv4SpellingsOtherThanPlainDottedDecimalAreRefusedWithTheReason() {
        assertThatThrownBy(() -> Ipv4.parse("tunnelIp", "010.001.002.003"))
                .hasMessage("tunnelIp: '010.001.002.003' has leading zeros, which are ambiguous (octal in some"
                        + " tools); write each octet without them, like 10.0.0.1");
        assertThatThrownBy(() -> Ipv4.parse("ip", "10.0.0.01")).hasMessageContaining("leading zeros");
        assertThatThrownBy(() -> Ipv4.parse("ip", "10.00.0.1")).hasMessageContaining("leading zeros");
        assertThatThrownBy(() -> Ipv4.parse("tunnelIp", " 10.0.0.1"))
                .hasMessage("tunnelIp: ' 10.0.0.1' has whitespace around it; write it as four decimal octets"
                        + " separated by '.', like 10.0.0.1");
        assertThatThrownBy(() -> Ipv4.parse("ip", "10.0.0.1\n")).hasMessageContaining("'10.0.0.1\\n' has whitespace");
        assertThatThrownBy(() -> Ipv4.parse("ip", "10.0. 0.1")).hasMessageContaining("is not four decimal octets");
        assertThatThrownBy(() -> Ipv4.parse("ip", "10.0.0.300")).hasMessageContaining("over 255");
    }

    @Test
    void idsAreUrlAndJournalSafe() {
        assertThat(HostId.of("esx-01.dc1").value()).isEqualTo("esx-01.dc1");
        assertThatThrownBy(() -> HostId.of("")).hasMessageStartingWith("hostId: ");
        assertThatThrownBy(() -> PortId.of("a/b")).hasMessageStartingWith("portId: ");
        assertThatThrownBy(() -> SwitchId.of("-x")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> SwitchId.of("x".repeat(65)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("switchId: is 65 characters long; an id has 1-64 characters");
        assertThat(SwitchId.of("x".repeat(64)).value()).hasSize(64);
        assertThatThrownBy(() -> HostId.of(" esx-1"))
                .hasMessageStartingWith("hostId: ' esx-1' has whitespace around it: an id has 1-64 characters");
        assertThatThrownBy(() -> HostId.of("esx-1\t")).hasMessageStartingWith("hostId: 'esx-1\\t' has whitespace");
        assertThatThrownBy(() -> PortId.of("a b")).hasMessageStartingWith("portId: 'a b' is not a valid id");
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
