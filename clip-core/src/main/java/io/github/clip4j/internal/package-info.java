/**
 * clip4j's engine, exported only to clip4j's own modules and free to change in any release: {@code ClipEngine}
 * (what a {@code Clip} runs) and {@code ClipAccess} (how clip4j's packages reach it). Sub-packages hold one concern
 * each; see ARCHITECTURE.md.
 */
package io.github.clip4j.internal;
