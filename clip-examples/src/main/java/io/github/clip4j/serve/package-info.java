/**
 * {@code clip serve}: an HTTP search service and web page over an image index, on the JDK's own HTTP server.
 *
 * <p>{@link io.github.clip4j.serve.SearchServer} answers {@code GET /api/search?q=TEXT&k=K} (text to image),
 * {@code POST /api/search?k=K} (image to image), {@code GET /api/image?path=P} and {@code GET /api/thumb?path=P}
 * (files of the index only) and serves the page at {@code /} from the jar. Queries reach the model through one
 * thread that batches concurrent texts ({@code ModelQueue}); files are looked up by the paths the index holds and
 * checked to be still inside the indexed folders ({@code IndexedFiles}).
 */
package io.github.clip4j.serve;
