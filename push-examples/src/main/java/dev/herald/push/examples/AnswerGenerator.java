package dev.herald.push.examples;

import dev.herald.push.Channel;
import dev.herald.push.PushHub;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The token-streaming demo's "model": a deterministic text generator that publishes an answer word
 * by word to the answer's own channel ({@code answer/<id>}), as {@code token} events {@code
 * {"i","text"}}, and ends it with a {@code done} event {@code {"reason":"complete"|"cancelled"}}.
 * The same prompt always gives the same answer. Thread-safe.
 */
final class AnswerGenerator {
  static final long WORD_MILLIS = 60;
  static final int MAX_RUNNING = 64;

  private static final String[] SENTENCES = {
    "Every word you see was published to a channel of its own and pushed to this page as it was"
        + " made.",
    "Herald keeps each channel's recent history, so a reconnect resumes from the cursor and no"
        + " word goes missing.",
    "The server never waits for a slow reader: each connection has a bounded outbox, drained with"
        + " one write in flight.",
    "This answer travels as newline-delimited JSON, one frame per line, over a plain HTTP"
        + " response.",
    "Switch the transport above and the next answer takes WebSocket, Server-Sent Events or long"
        + " polling instead.",
    "Cancel stops the generator on the server, which then publishes a final event that says so.",
    "A real application would put a language model here and publish its tokens the same way.",
    "Offsets are dense and start at one, which is how the client knows it has seen every word.",
    "Behind a proxy that buffers streams, the client falls back by itself and loses nothing.",
    "With Redis as the broker, any node of a cluster can serve this page and resume the stream.",
  };

  private final PushHub hub;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Generation> running = new ConcurrentHashMap<>();

  AnswerGenerator(PushHub hub, ScheduledExecutorService scheduler) {
    this.hub = hub;
    this.scheduler = scheduler;
  }

  /** The answer to a prompt, as the words it is published in. */
  static List<String> answer(String prompt) {
    String asked = prompt.strip().replaceAll("\\s+", " ");
    if (asked.length() > 60) {
      asked = asked.substring(0, 57) + "…";
    }
    List<String> sentences = new ArrayList<>(Arrays.asList(SENTENCES));
    Collections.shuffle(sentences, new Random(asked.toLowerCase(Locale.ROOT).hashCode()));
    StringBuilder text = new StringBuilder("You asked: “").append(asked).append("”. ");
    for (String s : sentences.subList(0, 5)) {
      text.append(s).append(' ');
    }
    return List.of(text.toString().strip().split(" "));
  }

  /**
   * Starts streaming the answer to {@code channel}, whose subscribers join from a cursor taken
   * before this call, so they miss no word.
   *
   * @return false if too many answers are being generated already
   */
  boolean start(String id, Channel channel, String prompt) {
    if (running.size() >= MAX_RUNNING) {
      return false;
    }
    Generation g = new Generation(id, channel, answer(prompt));
    running.put(id, g);
    g.schedule(0);
    return true;
  }

  /** Stops an answer; returns whether it was still running. */
  boolean cancel(String id) {
    Generation g = running.get(id);
    return g != null && g.cancel();
  }

  /** How many answers are being generated. */
  int runningCount() {
    return running.size();
  }

  /** Stops every answer without a final event, for shutdown. */
  void stopAll() {
    running.values().forEach(g -> g.finish(null));
  }

  /** One answer being published. Its steps and its cancel take turns under its lock. */
  private final class Generation {
    private final String id;
    private final Channel channel;
    private final List<String> words;
    private final ReentrantLock lock = new ReentrantLock();
    private int next;
    private boolean finished;
    private ScheduledFuture<?> pending;

    Generation(String id, Channel channel, List<String> words) {
      this.id = id;
      this.channel = channel;
      this.words = words;
    }

    void schedule(long delay) {
      pending = scheduler.schedule(this::step, delay, TimeUnit.MILLISECONDS);
    }

    private void step() {
      lock.lock();
      try {
        if (finished) {
          return;
        }
        String word = next == 0 ? words.get(0) : " " + words.get(next);
        JsonServlet.await(channel.publish("token", Map.of("i", next, "text", word)));
        next++;
        if (next == words.size()) {
          finish("complete");
        } else {
          schedule(WORD_MILLIS);
        }
      } catch (RuntimeException e) {
        finish(null); // the broker is gone: the page sees the stream stall and can retry
      } finally {
        lock.unlock();
      }
    }

    boolean cancel() {
      lock.lock();
      try {
        if (finished) {
          return false;
        }
        finish("cancelled");
        return true;
      } finally {
        lock.unlock();
      }
    }

    void finish(String reason) {
      lock.lock();
      try {
        if (finished) {
          return;
        }
        finished = true;
        running.remove(id);
        if (pending != null) {
          pending.cancel(false);
        }
        if (reason != null) {
          channel.publish("done", Map.of("reason", reason, "words", next));
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
