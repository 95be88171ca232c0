/** {@code Downloader}: verified, locked, atomic downloads into a cache folder (used for released models). */
package io.github.clip4j.internal.download;
