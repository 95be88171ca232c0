/**
 * Support for testing code that uses clip4j: {@link io.github.clip4j.testing.TinyClip}, a real {@code Clip} with
 * small deterministic weights made from a seed, needing no model download.
 */
package io.github.clip4j.testing;
