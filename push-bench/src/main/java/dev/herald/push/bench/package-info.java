/**
 * Herald's benchmarks: JMH benchmarks of the core ({@code dev.herald.push.bench.jmh}) and an
 * end-to-end load tool ({@link dev.herald.push.bench.Main}) that runs a server under test in its
 * own JVM, drives it from client JVMs and compares Herald with raw Jetty 12 and CometD.
 */
package dev.herald.push.bench;
