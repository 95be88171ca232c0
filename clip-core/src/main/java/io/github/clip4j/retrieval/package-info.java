/**
 * Image search: {@link io.github.clip4j.retrieval.ImageIndex} keeps the embeddings of folders of images in one
 * crash-safe file, updates it incrementally, and finds the images closest to a text or an example image by exact
 * cosine similarity over an {@link io.github.clip4j.internal.retrieval.EmbeddingMatrix}.
 */
package io.github.clip4j.retrieval;

import io.github.clip4j.internal.retrieval.EmbeddingMatrix;
