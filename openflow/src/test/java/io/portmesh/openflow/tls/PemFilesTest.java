package io.portmesh.openflow.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one PEM reader of every TLS end: keys in PKCS#8, PKCS#1 and SEC1, certificate chains in order, and the key
 * checked against its certificate at load. Keys and certificates come from the JDK's keytool (no Bouncy Castle here).
 */
class PemFilesTest {
    private static final char[] PASSWORD = Keytool.PASSWORD;

    @TempDir
    static Path dir;

    private static PrivateKey ecKey;
    private static X509Certificate ecCert;
    private static PrivateKey rsaKey;
    private static X509Certificate rsaCert;

    @BeforeAll
    static void keys() throws Exception {
        KeyStore ec = Keytool.selfSigned(dir, "ec", "EC", "-groupname", "secp256r1", "-dname", "CN=ec");
        ecKey = (PrivateKey) ec.getKey("ec", PASSWORD);
        ecCert = (X509Certificate) ec.getCertificate("ec");
        KeyStore rsa = Keytool.selfSigned(dir, "rsa", "RSA", "-dname", "CN=rsa");
        rsaKey = (PrivateKey) rsa.getKey("rsa", PASSWORD);
        rsaCert = (X509Certificate) rsa.getCertificate("rsa");
    }

    private static Path pem(String name, String type, byte[]... ders) throws Exception {
        StringBuilder text = new StringBuilder();
        for (byte[] der : ders) {
            text.append("-----BEGIN ")
                    .append(type)
                    .append("-----\n")
                    .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
                    .append("\n-----END ")
                    .append(type)
                    .append("-----\n");
        }
        return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
    }

    /** The key inside a PKCS#8 PrivateKeyInfo: its last element, an OCTET STRING (PKCS#1 for RSA, SEC1 for EC). */
    private static byte[] innerKey(byte[] pkcs8) {
        int[] pos = {0};
        readHeader(pkcs8, pos); // SEQUENCE
        skip(pkcs8, pos); // version
        skip(pkcs8, pos); // algorithm
        int length = readHeader(pkcs8, pos); // OCTET STRING
        return Arrays.copyOfRange(pkcs8, pos[0], pos[0] + length);
    }

    private static int readHeader(byte[] der, int[] pos) {
        pos[0]++; // tag
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = (length << 8) | (der[pos[0]++] & 0xff);
        }
        return length;
    }

    private static void skip(byte[] der, int[] pos) {
        int length = readHeader(der, pos); // moves pos past the header first
        pos[0] += length;
    }

    @Test
    void pkcs8EcAndRsaKeysAreReadAndPairedWithTheirCertificates() throws Exception {
        Path ecPem = pem("ec.key", "PRIVATE KEY", ecKey.getEncoded());
        Path rsaPem = pem("rsa.key", "PRIVATE KEY", rsaKey.getEncoded());
        Path chain = pem("ec-chain.crt", "CERTIFICATE", ecCert.getEncoded(), rsaCert.getEncoded());

        assertThat(PemFiles.privateKey(ecPem).getEncoded()).isEqualTo(ecKey.getEncoded());
        assertThat(PemFiles.privateKey(rsaPem).getEncoded()).isEqualTo(rsaKey.getEncoded());
        assertThat(PemFiles.certificates(chain)).as("in the file's order").containsExactly(ecCert, rsaCert);
        PemIdentity id = PemIdentity.load(chain, ecPem);
        assertThat(id.certificate()).isEqualTo(ecCert);
        assertThat(PemIdentity.load(pem("ec.crt", "CERTIFICATE", ecCert.getEncoded()), ecPem)
                        .keyManagers())
                .isNotEmpty();
        PemIdentity.load(pem("rsa.crt", "CERTIFICATE", rsaCert.getEncoded()), rsaPem);
    }

    @Test
    void traditionalPkcs1RsaAndSec1EcKeysAreReadToo() throws Exception {
        Path pkcs1 = pem("rsa1.key", "RSA PRIVATE KEY", innerKey(rsaKey.getEncoded()));
        assertThat(PemFiles.privateKey(pkcs1).getEncoded()).isEqualTo(rsaKey.getEncoded());

        // the JDK writes SEC1 without the curve; openssl writes it with [0] prime256v1, as here
        byte[] sec1 = innerKey(ecKey.getEncoded());
        byte[] curve = {(byte) 0xa0, 10, 6, 8, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 3, 1, 7};
        ByteArrayOutputStream withCurve = new ByteArrayOutputStream();
        withCurve.write(0x30);
        withCurve.write(sec1.length - 2 + curve.length);
        withCurve.write(sec1, 2, sec1.length - 2);
        withCurve.write(curve);
        Path sec1Pem = pem("ec1.key", "EC PRIVATE KEY", withCurve.toByteArray());
        PemIdentity.load(pem("ec.crt", "CERTIFICATE", ecCert.getEncoded()), sec1Pem);

        Path noCurve = pem("ec0.key", "EC PRIVATE KEY", sec1);
        assertThatThrownBy(() -> PemFiles.privateKey(noCurve))
                .hasMessageContaining("ec0.key")
                .hasMessageContaining("does not name its curve")
                .hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtLoadNamingBothFiles() throws Exception {
        Path key = pem("other.key", "PRIVATE KEY", rsaKey.getEncoded());
        Path cert = pem("mine.crt", "CERTIFICATE", ecCert.getEncoded());
        assertThatThrownBy(() -> PemIdentity.load(cert, key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other.key")
                .hasMessageContaining("does not belong to the first certificate of")
                .hasMessageContaining("mine.crt");
    }

    @Test
    void unreadableFilesAreRefusedSayingWhatToDo() throws Exception {
        Path encrypted = pem("enc.key", "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PemFiles.privateKey(encrypted))
                .hasMessageContaining("enc.key: an encrypted key")
                .hasMessageContaining("-nocrypt");
        Path certOnly = pem("cert-only.pem", "CERTIFICATE", ecCert.getEncoded());
        assertThatThrownBy(() -> PemFiles.privateKey(certOnly)).hasMessageContaining("cert-only.pem: no private key");
        Path keyOnly = pem("key-only.pem", "PRIVATE KEY", ecKey.getEncoded());
        assertThatThrownBy(() -> PemFiles.certificates(keyOnly)).hasMessageContaining("key-only.pem: no certificate");
        Path garbage = pem("garbage.key", "RSA PRIVATE KEY", new byte[] {0, 0, 0});
        assertThatThrownBy(() -> PemFiles.privateKey(garbage)).hasMessageContaining("not a readable RSA key");
        assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("missing.crt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.crt");
    }
}
