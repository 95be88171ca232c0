package io.github.clip4j.cli;

import picocli.CommandLine.Option;

/**
 * The required {@code --model M} of the commands that run a model. ({@code search} has its own, optional one: the
 * index names its model.)
 */
final class ModelName {
    @Option(names = "--model", paramLabel = "M", required = true, description = ModelOptions.MODEL_DESCRIPTION)
    String value;
}
