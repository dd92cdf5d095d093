package io.portmesh.cluster.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The PKI's files: certificates and unencrypted PKCS#8 keys in PEM, the form Netty, Open vSwitch and openssl read.
 * Every file is written whole or not at all (a temporary file in the same directory, then an atomic rename), keys with
 * mode 0600 from their first byte on.
 */
final class PemFiles {
    static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> CERTIFICATE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {}

    /** Refuses, before anything is written, when one of {@code files} exists and {@code force} is not set. */
    static void checkWritable(List<Path> files, boolean force) throws FileAlreadyExistsException {
        if (force) {
            return;
        }
        for (Path f : files) {
            if (Files.exists(f)) {
                throw new FileAlreadyExistsException(f.toString(), null, "exists; --force replaces it");
            }
        }
    }

    static void writeCertificates(Path file, List<X509Certificate> chain) throws IOException {
        write(file, pem(chain.toArray()), CERTIFICATE_MODE);
    }

    static void writeKey(Path file, PrivateKey key) throws IOException {
        write(file, pem(new JcaPKCS8Generator(key, null)), KEY_MODE);
    }

    static X509Certificate readCertificate(Path file) throws IOException {
        Object o = readFirst(file);
        if (!(o instanceof X509CertificateHolder holder)) {
            throw new IOException(file + ": not a PEM certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey readKey(Path file) throws IOException {
        Object o = readFirst(file);
        if (!(o instanceof PrivateKeyInfo info)) {
            throw new IOException(file + ": not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)");
        }
        return new JcaPEMKeyConverter().getPrivateKey(info);
    }

    private static Object readFirst(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            if (o == null) {
                throw new IOException(file + ": no PEM object in it");
            }
            return o;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "not found");
        }
    }

    private static String pem(Object... objects) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        }
        return text.toString();
    }

    private static void write(Path file, String text, Set<PosixFilePermission> mode) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(
                dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(KEY_MODE));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, mode);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
