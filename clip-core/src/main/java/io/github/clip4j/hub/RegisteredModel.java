package io.github.clip4j.hub;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;

/**
 * A model that can be named instead of a file: its registry name, where its checkpoint is downloaded from, and
 * the checkpoint's SHA-256.
 *
 * <pre>{@code
 * RegisteredModel vitB32 = ModelRegistry.openai().get("ViT-B/32");
 * vitB32.fileName();   // "ViT-B-32.pt", the name it has in the cache
 * }</pre>
 *
 * @param name the name users type, e.g. {@code "ViT-B/32"}
 * @param url an {@code http} or {@code https} address whose last path segment is the file name
 * @param sha256 the checkpoint's SHA-256 as 64 lowercase hex digits (upper case is accepted and lowered), or null
 *     when no checksum is published (Chinese-CLIP's models: the download is then unverified apart from its length,
 *     and a warning says so)
 */
public record RegisteredModel(String name, URI url, String sha256) {

    /**
     * Validates the fields and lowers the checksum's case.
     *
     * @param name the name users type, not blank
     * @param url an {@code http} or {@code https} address ending with the file name
     * @param sha256 64 hex digits in either case, or null if no checksum is known
     * @throws IllegalArgumentException if the name is blank, the address is not http(s) or has no file name, or the
     *     checksum is given and not 64 hex digits
     */
    public RegisteredModel {
        requireNonNull(name, "name");
        requireNonNull(url, "url");
        if (name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("model " + name + ": url must be http or https: " + url);
        }
        if (lastSegment(url).isEmpty()) {
            throw new IllegalArgumentException("model " + name + ": url must end with a file name: " + url);
        }
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("model " + name + ": sha256 must be 64 hex digits: " + sha256);
        }
    }

    /**
     * Whether downloads of this model are checked against a SHA-256.
     *
     * @return {@code true} if {@link #sha256()} is not null
     */
    public boolean isVerified() {
        return sha256 != null;
    }

    /**
     * The checkpoint's file name in the cache, like the reference's: the last segment of the address.
     *
     * @return the file name, e.g. {@code "ViT-B-32.pt"}, never empty
     */
    public String fileName() {
        return lastSegment(url);
    }

    /**
     * This model downloaded from another server that keeps the same layout: {@code base/<sha256>/<file name>}.
     * Used for mirrors and for tests that serve models from a local server.
     *
     * <pre>{@code
     * model.withBaseUrl(URI.create("https://mirror.example.com/clip"))
     * // url: https://mirror.example.com/clip/<sha256>/ViT-B-32.pt, same name and checksum
     * }</pre>
     *
     * @param base the mirror's address, with or without a trailing slash
     * @return a model with the same name, file name and checksum, downloaded from {@code base} (without a checksum:
     *     from {@code base/<file name>})
     * @throws IllegalArgumentException if the resulting address is not a valid http(s) address
     */
    public RegisteredModel withBaseUrl(URI base) {
        requireNonNull(base, "base");
        String prefix = base.toString().endsWith("/") ? base.toString() : base + "/";
        String folder = sha256 == null ? "" : sha256 + "/";
        return new RegisteredModel(name, URI.create(prefix + folder + fileName()), sha256);
    }

    private static String lastSegment(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
