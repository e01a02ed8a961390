/**
 * JMH benchmarks of {@code push-core}, through its public API only: fan-out, cursor handling,
 * replay on resume and the message encoding strategy. Run them all from the repository root with
 * {@code java -cp push-bench/target/push-bench.jar org.openjdk.jmh.Main
 * 'dev.herald.push.bench.jmh'} after {@code mvn -pl push-bench -am package -DskipTests}.
 */
package dev.herald.push.bench.jmh;
