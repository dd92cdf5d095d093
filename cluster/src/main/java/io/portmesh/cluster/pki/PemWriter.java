package io.portmesh.cluster.pki;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Writes the PKI's key and certificate pairs in PEM (unencrypted PKCS#8 keys, certificate chains: what every
 * Portmesh end, Open vSwitch and openssl read; reading them back is {@code openflow/tls/PemFiles}). A pair is written
 * so that no crash, and no second {@code portmeshctl pki} run at the same time, leaves a key with a certificate that is
 * not its own or blocks the next run:
 *
 * <ol>
 *   <li>the directory is locked ({@code .pki.lock}, a file lock, plus a lock within this JVM), so that two runs
 *       check and write one after the other;
 *   <li>each file is written whole to a temporary file in its directory (keys mode 0600 from their first byte on) and
 *       synced;
 *   <li>the key is moved into place first, the certificate last: the certificate is the pair's commit point. A run
 *       refuses when the certificate exists (unless {@code force}); a key found without its certificate is what an
 *       interrupted run left, and is moved aside to {@code <key>.unpaired-<millis>} (never deleted: it may be a CA
 *       key someone wants back) rather than blocking the run; with {@code force} the key it replaces is moved aside
 *       too ({@code <key>.replaced-<millis>});
 *   <li>the certificate is linked into place, which fails when a file of that name appeared after all (no clobbering);
 *       with {@code force} it is renamed over the old one.
 * </ol>
 */
final class PemWriter {
    static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> CERTIFICATE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    static final String LOCK_FILE = ".pki.lock";
    /** How long a run waits for another one's lock on the directory. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    /** File locks are per process: threads of this JVM wait on this one first. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private PemWriter() {}

    /** Writes {@code key} to {@code keyFile} and {@code chain} to {@code certificateFile}, as the class describes. */
    static void writePair(
            Path certificateFile, List<X509Certificate> chain, Path keyFile, PrivateKey key, boolean force)
            throws IOException {
        Path dir = certificateFile.toAbsolutePath().getParent();
        IN_PROCESS.lock();
        try (FileChannel lock =
                        FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                var held = lockWithin(lock, dir, LOCK_WAIT)) {
            if (!force && Files.exists(certificateFile)) {
                throw new FileAlreadyExistsException(certificateFile.toString(), null, "exists; --force replaces it");
            }
            Path keyTmp = temporary(keyFile, pem(new JcaPKCS8Generator(key, null)), KEY_MODE);
            Path certificateTmp = null;
            try {
                certificateTmp = temporary(certificateFile, pem(chain.toArray()), CERTIFICATE_MODE);
                if (Files.exists(keyFile)) {
                    // never deleted, not even with force: it may be the CA's key, and then everything it signed
                    // is only trusted through it
                    Files.move(
                            keyFile,
                            keyFile.resolveSibling(keyFile.getFileName()
                                    + (force ? ".replaced-" : ".unpaired-")
                                    + System.currentTimeMillis()));
                }
                Files.move(keyTmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
                if (force) {
                    Files.move(
                            certificateTmp,
                            certificateFile,
                            StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.createLink(certificateFile, certificateTmp); // link(2): fails if the name exists
                }
                syncDirectory(dir);
            } finally {
                Files.deleteIfExists(keyTmp);
                if (certificateTmp != null) {
                    Files.deleteIfExists(certificateTmp);
                }
            }
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /**
     * The directory's lock, waited for at most {@code wait}: a run that hangs while holding it (a stopped process, a
     * lock on a network file system that is never released) must not make every later run wait for ever.
     */
    private static FileLock lockWithin(FileChannel lock, Path dir, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            FileLock held = lock.tryLock();
            if (held != null) {
                return held;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("another portmeshctl pki run has held " + dir.resolve(LOCK_FILE) + " for "
                        + wait.toSeconds() + " s; try again once it ended");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + dir.resolve(LOCK_FILE));
            }
        }
    }

    /** A synced temporary file in {@code target}'s directory holding {@code text}, with {@code mode}. */
    private static Path temporary(Path target, String text, Set<PosixFilePermission> mode) throws IOException {
        Path tmp = Files.createTempFile(
                target.toAbsolutePath().getParent(),
                "." + target.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(KEY_MODE));
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
            Files.setPosixFilePermissions(tmp, mode);
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Makes the renames durable (Linux syncs a directory opened for reading; elsewhere this may be refused). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not supported here: the renames are atomic all the same, only their durability is the system's
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
}
