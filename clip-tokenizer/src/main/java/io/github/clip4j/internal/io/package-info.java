/** File plumbing shared by every clip4j module: {@code AtomicFiles}, the one way a file is replaced. */
package io.github.clip4j.internal.io;
