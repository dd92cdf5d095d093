package io.portmesh.agent.pipeline;

import static io.portmesh.agent.table.Of.arp;
import static io.portmesh.agent.table.Of.frame;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.MacAddress;

class PacketTest {
    private final Packet p = new Packet();

    private byte[] current() {
        return Arrays.copyOfRange(p.bytes(), p.bytesOffset(), p.bytesOffset() + p.bytesLength());
    }

    @Test
    void parsesTaggedFrameAndPopsTheTag() {
        byte[] tagged = frame("00:00:00:00:00:02", "00:00:00:00:00:01", 10, 0x0800, 46);
        assertThat(p.parse(tagged, 0, tagged.length)).isTrue();
        assertThat(p.vlanVid()).isEqualTo(0x1000 | 10);
        assertThat(p.ethType).isEqualTo(0x0800);
        assertThat(p.ethSrc).isEqualTo(MacAddress.of("00:00:00:00:00:01").getLong());
        assertThat(p.bytes()).as("unmodified frames go out without a copy").isSameAs(tagged);

        p.popVlan();
        byte[] untagged = frame("00:00:00:00:00:02", "00:00:00:00:00:01", -1, 0x0800, 46);
        // Payload bytes differ in their recognisable pattern by the 4-byte shift; compare header and length.
        assertThat(p.vlanVid()).isZero();
        assertThat(p.bytesLength()).isEqualTo(untagged.length);
        assertThat(Arrays.copyOf(current(), 14)).isEqualTo(Arrays.copyOf(untagged, 14));
        assertThat(Arrays.copyOfRange(current(), 14, current().length))
                .isEqualTo(Arrays.copyOfRange(tagged, 18, tagged.length));
    }

    @Test
    void pushThenSetVidWritesA8021QTag() {
        byte[] untagged = frame("00:00:00:00:00:02", "00:00:00:00:00:01", -1, 0x0806, 28);
        byte[] withOffset = new byte[untagged.length + 7];
        System.arraycopy(untagged, 0, withOffset, 7, untagged.length);
        assertThat(p.parse(withOffset, 7, untagged.length)).isTrue();

        p.pushVlan();
        assertThat(p.vlanVid()).as("new tag starts at vid 0").isEqualTo(0x1000);
        p.setVlanVid(300);
        byte[] out = current();
        assertThat(out).hasSize(untagged.length + 4);
        assertThat(Arrays.copyOfRange(out, 12, 18)).containsExactly(0x81, 0x00, 0x01, 0x2C, 0x08, 0x06);
        assertThat(Arrays.copyOfRange(out, 18, out.length))
                .isEqualTo(Arrays.copyOfRange(untagged, 14, untagged.length));
    }

    @Test
    void pushOnATaggedFrameKeepsTheInnerTag() {
        byte[] tagged = frame("00:00:00:00:00:02", "00:00:00:00:00:01", 10, 0x0800, 46);
        p.parse(tagged, 0, tagged.length);
        p.pushVlan();
        p.setVlanVid(20);
        byte[] out = current();
        assertThat(Arrays.copyOfRange(out, 12, 20)).containsExactly(0x81, 0x00, 0x00, 20, 0x81, 0x00, 0x00, 10);
        p.popVlan();
        assertThat(p.vlanVid()).isEqualTo(0x1000 | 10);
    }

    @Test
    void parsesArpFields() {
        byte[] a = arp("ff:ff:ff:ff:ff:ff", "00:00:00:00:00:01", 5, 1, "10.0.0.1", "10.0.0.2");
        assertThat(p.parse(a, 0, a.length)).isTrue();
        assertThat(p.arpOp).isEqualTo(1);
        assertThat(p.arpSpa).isEqualTo(IPv4Address.of("10.0.0.1").getInt());
        assertThat(p.arpTpa).isEqualTo(IPv4Address.of("10.0.0.2").getInt());
    }

    @Test
    void refusesMalformedFrames() {
        byte[] ok = frame("00:00:00:00:00:02", "00:00:00:00:00:01", -1, 0x0800, 46);
        assertThat(p.parse(ok, 0, 13)).as("shorter than an Ethernet header").isFalse();
        byte[] tagged = frame("00:00:00:00:00:02", "00:00:00:00:00:01", 10, 0x0800, 0);
        assertThat(p.parse(tagged, 0, 16)).as("tag cut short").isFalse();
        byte[] a = arp("ff:ff:ff:ff:ff:ff", "00:00:00:00:00:01", -1, 1, "10.0.0.1", "10.0.0.2");
        assertThat(p.parse(a, 0, a.length - 1)).as("truncated ARP").isFalse();
        assertThat(p.parse(null, 0, 60)).isFalse();
        assertThat(p.parse(ok, 40, 60)).as("slice beyond the array").isFalse();
        assertThat(p.parse(ok, -1, 20)).isFalse();
    }
}
