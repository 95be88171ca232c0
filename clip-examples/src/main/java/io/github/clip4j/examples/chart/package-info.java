/**
 * PNG pictures of results, drawn with Java2D (headless-safe): {@link io.github.clip4j.examples.chart.ClassificationChart}
 * for a zero-shot classification and {@link io.github.clip4j.examples.chart.ResultGrid} for search results.
 */
package io.github.clip4j.examples.chart;
