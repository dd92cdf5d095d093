package io.portmesh.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a host's registration pins about the agent of one of its slots (docs/architecture.md section 13.1): the
 * SHA-256 of its certificate's public key (the DER SubjectPublicKeyInfo, as RFC 7469's {@code pin-sha256} and DANE's
 * SPKI selector hash it) and its datapath id. Either may be absent (null), not both. The key, not the certificate, is
 * pinned: a renewal with the same key keeps the pin true, while a certificate issued for the host with another key
 * (by whoever holds the CA) does not open it.
 *
 * @param publicKeySha256 64 lowercase hex digits, or null
 * @param dpid the datapath id as {@link Dpid} prints it (16 lowercase hex digits), or null
 */
public record AgentPin(String publicKeySha256, String dpid) implements CborSerializable {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /** Normalizes and checks; field names in errors are {@code publicKeySha256} and {@code dpid}. */
    public AgentPin {
        publicKeySha256 = publicKeySha256 == null ? null : sha256("publicKeySha256", publicKeySha256);
        dpid = dpid == null ? null : Dpid.parse(dpid).toString();
        if (publicKeySha256 == null && dpid == null) {
            throw new ValidationException("publicKeySha256", "a pin needs publicKeySha256, dpid or both");
        }
    }

    /** Builds a pin from what a client sent, naming the fields {@code <field>.publicKeySha256} and so on. */
    public static AgentPin of(String field, String publicKeySha256, String dpid) {
        try {
            return new AgentPin(publicKeySha256, dpid);
        } catch (ValidationException e) {
            throw new ValidationException(field + "." + e.field(), e.reason());
        }
    }

    /** Whether a connection whose certificate's key hashes to {@code presented} (null: no certificate) fits. */
    public boolean keyMatches(String presented) {
        return publicKeySha256 == null || publicKeySha256.equals(presented);
    }

    /** Whether a connection from datapath {@code presented} (any form {@link Dpid#parse} reads) fits. */
    public boolean dpidMatches(String presented) {
        if (dpid == null) {
            return true;
        }
        try {
            return presented != null && Dpid.parse(presented).toString().equals(dpid);
        } catch (ValidationException e) {
            return false;
        }
    }

    private static String sha256(String field, String text) {
        String hex = text.replace(":", "").toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new ValidationException(
                    field,
                    ValidationException.echo(text)
                            + " is not a SHA-256 digest (64 hex digits, colons allowed between bytes)");
        }
        return hex;
    }
}
