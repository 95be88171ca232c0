/**
 * What an {@code ImageIndex} keeps: {@code IndexTable} (entries, their embedding rows and exact top-k search, kept
 * together) and {@code IndexFile} (the versioned, checksummed file, written through {@code AtomicFiles}).
 */
package io.github.clip4j.internal.retrieval;
