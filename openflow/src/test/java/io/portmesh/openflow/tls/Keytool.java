package io.portmesh.openflow.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed keys and certificates made by the JDK's keytool, for the openflow tests (no Bouncy Castle here). */
public final class Keytool {
    /** The password of the stores and of their keys. */
    public static final char[] PASSWORD = "portmesh".toCharArray();

    private Keytool() {}

    /**
     * A PKCS#12 store in {@code dir} holding one key of {@code algorithm} under {@code alias} and its self-signed
     * certificate, valid two days; {@code options} are keytool's more (-dname, -ext, -groupname, ...).
     */
    public static KeyStore selfSigned(Path dir, String alias, String algorithm, String... options) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                algorithm,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD)));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as("keytool done within 60 s")
                .isTrue();
        assertThat(p.exitValue())
                .as(new String(p.getInputStream().readAllBytes()))
                .isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }
}
