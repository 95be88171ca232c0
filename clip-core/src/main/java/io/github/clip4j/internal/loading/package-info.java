/** Turning a name, checkpoint file or Hugging Face folder into a running model: {@code ClipLoader}. */
package io.github.clip4j.internal.loading;
