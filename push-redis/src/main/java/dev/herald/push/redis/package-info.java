/**
 * Herald on a cluster: {@link dev.herald.push.redis.RedisBroker} lets several nodes share channels,
 * history and presence through Redis (Streams for history, Pub/Sub for live fan-out), so a client
 * may reconnect to any node and resume from its cursor. See {@code docs/cluster.md} for running
 * nodes behind a load balancer, sizing Redis and what clients see in each failure.
 */
package dev.herald.push.redis;
