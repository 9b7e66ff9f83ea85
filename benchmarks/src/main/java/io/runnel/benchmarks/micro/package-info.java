/**
 * JMH micro-benchmarks of the broker's hot paths. Run them from the built jar:
 * {@code java --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar [regexp] [JMH options]}.
 * They live in {@code src/main}, so no test phase runs them.
 */
package io.runnel.benchmarks.micro;
