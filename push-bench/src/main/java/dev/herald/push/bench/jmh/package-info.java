/**
 * JMH benchmarks of {@code push-core}, through its public API only: fan-out (durable and
 * ephemeral), cursor handling, replay on resume and the message encoding strategy; and one of
 * {@code push-redis}, the durable against the ephemeral publish on a local {@code redis-server}.
 * Run them all from the repository root with {@code java -cp push-bench/target/push-bench.jar
 * org.openjdk.jmh.Main 'dev.herald.push.bench.jmh'} after {@code mvn -pl push-bench -am package
 * -DskipTests}.
 */
package dev.herald.push.bench.jmh;
