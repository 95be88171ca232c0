/**
 * Verified downloads into a local cache ({@link io.github.clip4j.internal.download.Downloader}), used for the BPE
 * vocabulary and for model checkpoints.
 */
package io.github.clip4j.download;

import io.github.clip4j.internal.download.Downloader;
