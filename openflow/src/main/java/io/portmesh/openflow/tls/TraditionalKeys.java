package io.portmesh.openflow.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Turns the two "traditional" OpenSSL key encodings into PKCS#8, the one the JDK's key factories read: PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, what older {@code openssl genrsa} and {@code ovs-pki} write) and SEC1
 * ({@code BEGIN EC PRIVATE KEY}, what {@code openssl ecparam -genkey} writes). Both only need wrapping in a
 * PrivateKeyInfo naming the algorithm (and, for EC, the curve, which SEC1 carries in its optional {@code [0]} field).
 */
final class TraditionalKeys {
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int NULL = 0x05;
    private static final int CONTEXT_0 = 0xa0;

    /** 1.2.840.113549.1.1.1 rsaEncryption, DER content. */
    private static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 1, 1, 1};
    /** 1.2.840.10045.2.1 id-ecPublicKey, DER content. */
    private static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};

    private TraditionalKeys() {}

    static byte[] fromPkcs1Rsa(byte[] pkcs1) {
        return privateKeyInfo(concat(tlv(OID, RSA_ENCRYPTION), tlv(NULL, new byte[0])), pkcs1);
    }

    /** @throws IllegalArgumentException when the key does not name its curve (no {@code [0]} parameters) */
    static byte[] fromSec1Ec(byte[] sec1) {
        byte[] curve = null;
        Reader seq = new Reader(new Reader(sec1).content(SEQUENCE));
        while (seq.hasMore()) {
            int tag = seq.peekTag();
            byte[] value = seq.content(tag);
            if (tag == CONTEXT_0) {
                curve = value; // the curve's OID, a whole TLV
            }
        }
        if (curve == null) {
            throw new IllegalArgumentException("the EC key does not name its curve");
        }
        return privateKeyInfo(concat(tlv(OID, EC_PUBLIC_KEY), curve), sec1);
    }

    private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        return tlv(SEQUENCE, concat(tlv(INTEGER, new byte[] {0}), tlv(SEQUENCE, algorithm), tlv(OCTET_STRING, key)));
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Just enough DER reading to walk one SEQUENCE's elements; any malformation is an IllegalArgumentException. */
    private static final class Reader {
        private final byte[] der;
        private int pos;

        Reader(byte[] der) {
            this.der = der;
        }

        boolean hasMore() {
            return pos < der.length;
        }

        int peekTag() {
            need(1);
            return der[pos] & 0xff;
        }

        /** The content of the element at the cursor, which must have {@code tag}; the cursor moves past it. */
        byte[] content(int tag) {
            if (peekTag() != tag) {
                throw new IllegalArgumentException("malformed key: tag " + peekTag() + " where " + tag + " belongs");
            }
            pos++;
            need(1);
            int first = der[pos++] & 0xff;
            int length = first;
            if (first >= 0x80) {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 3) {
                    throw new IllegalArgumentException("malformed key: length of " + bytes + " bytes");
                }
                need(bytes);
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[pos++] & 0xff);
                }
            }
            need(length);
            byte[] value = Arrays.copyOfRange(der, pos, pos + length);
            pos += length;
            return value;
        }

        private void need(int n) {
            if (n < 0 || pos + n > der.length) {
                throw new IllegalArgumentException("malformed key: truncated");
            }
        }
    }
}
