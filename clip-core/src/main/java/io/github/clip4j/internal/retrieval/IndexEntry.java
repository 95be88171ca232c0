package io.github.clip4j.internal.retrieval;

/**
 * What the index remembers of one image file besides its embedding: where it is and the file attributes that tell
 * whether it changed since it was embedded.
 *
 * @param root the index of its folder in the index's list of roots
 * @param path its path relative to that folder, with {@code /} separators
 * @param size its size in bytes when embedded
 * @param modifiedNanos its last-modified time when embedded, in nanoseconds since the epoch
 */
public record IndexEntry(int root, String path, long size, long modifiedNanos) {}
