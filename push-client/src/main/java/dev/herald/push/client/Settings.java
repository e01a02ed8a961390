package dev.herald.push.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Cursor;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** A client's configuration, checked by its builder. Immutable. */
record Settings(
    Endpoints endpoints,
    List<Transport> transports,
    HeraldListener listener,
    Duration reconnectMin,
    Duration reconnectMax,
    Supplier<String> token,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration pollTimeout,
    Duration requestTimeout,
    Cursor resumeFrom,
    HttpClient httpClient,
    ObjectMapper mapper) {}
