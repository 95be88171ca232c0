/**
 * The {@code clip} command-line tool: {@link io.github.clip4j.cli.ClipCli} and one class per command.
 */
package io.github.clip4j.cli;
