/** Placeholder. */
package io.runnel.benchmarks;
