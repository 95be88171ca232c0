/**
 * What every clip4j module shares: the exception hierarchy's root {@link io.github.clip4j.common.ClipException}
 * and small I/O helpers (verified downloads into a cache). No dependencies beyond the JDK.
 */
package io.github.clip4j.common;
