/**
 * JMH benchmarks; see {@code clip-benchmarks/README.md} for how to run them.
 */
package io.github.clip4j.benchmarks;
