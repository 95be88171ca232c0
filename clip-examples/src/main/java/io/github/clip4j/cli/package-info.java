/**
 * The {@code clip} command-line tool: {@link io.github.clip4j.cli.ClipCli} and one class per command
 * ({@code tokenize}, {@code preprocess}, {@code embed}, {@code classify}, {@code index}, {@code search},
 * {@code serve}, {@code train}; the HTTP server of {@code serve} is in {@code io.github.clip4j.serve}).
 *
 * <p>Every command writes JSON to stdout and nothing else; logs and progress bars go to stderr. Commands that load
 * a model share {@code ModelOptions} ({@code --precision}, {@code --device}, {@code --batch-size},
 * {@code --threads}; {@code train}, whose {@code --batch-size} is its own, takes {@code RuntimeOptions}, the same
 * without {@code --batch-size}) and load it through {@link io.github.clip4j.cli.ClipCli}, which supplies the run's tokenizer
 * and a download progress bar. Failures become one {@code clip: error:} line (see {@code CliErrors}).
 */
package io.github.clip4j.cli;
