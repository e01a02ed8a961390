package dev.herald.push;

/**
 * The naming rules for channels, events and epochs, checked wherever a name enters Herald. Names
 * are restricted so that they are safe in URLs, SSE fields and log lines without escaping.
 * Thread-safe.
 */
public final class Names {
  /** The longest channel name accepted. */
  public static final int MAX_CHANNEL_LENGTH = 200;

  /** The longest event name accepted. */
  public static final int MAX_EVENT_LENGTH = 100;

  /** The longest epoch accepted. */
  public static final int MAX_EPOCH_LENGTH = 32;

  private Names() {}

  /**
   * Checks a channel name: 1 to 200 characters of {@code A-Z a-z 0-9 _ - . / : @ =}.
   *
   * @return the name
   * @throws PushException with {@link ErrorCode#BAD_CHANNEL} naming what is wrong
   */
  public static String checkChannel(String name) {
    if (name == null || name.isEmpty()) {
      throw new PushException(ErrorCode.BAD_CHANNEL, "channel name is missing");
    }
    if (name.length() > MAX_CHANNEL_LENGTH) {
      throw new PushException(
          ErrorCode.BAD_CHANNEL,
          "channel name must be at most "
              + MAX_CHANNEL_LENGTH
              + " characters, was "
              + name.length());
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isChannelChar(c)) {
        throw new PushException(
            ErrorCode.BAD_CHANNEL,
            "channel name may only hold A-Z a-z 0-9 _ - . / : @ =, found "
                + describe(c)
                + " at index "
                + i);
      }
    }
    return name;
  }

  /** Whether {@code name} is a valid channel name; never throws. */
  public static boolean isValidChannel(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_CHANNEL_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isChannelChar(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks an event name: 1 to 100 characters, none of them a control character (so never CR or
   * LF).
   *
   * @return the name
   * @throws PushException with {@link ErrorCode#BAD_REQUEST} naming what is wrong
   */
  public static String checkEvent(String event) {
    if (event == null || event.isEmpty()) {
      throw new PushException(ErrorCode.BAD_REQUEST, "event name is missing");
    }
    if (event.length() > MAX_EVENT_LENGTH) {
      throw new PushException(
          ErrorCode.BAD_REQUEST,
          "event name must be at most " + MAX_EVENT_LENGTH + " characters, was " + event.length());
    }
    for (int i = 0; i < event.length(); i++) {
      char c = event.charAt(i);
      if (Character.isISOControl(c)) {
        throw new PushException(
            ErrorCode.BAD_REQUEST,
            "event name may not hold control characters, found " + describe(c) + " at index " + i);
      }
    }
    return event;
  }

  /**
   * Checks an epoch: 1 to 32 characters of {@code A-Z a-z 0-9 _ -}.
   *
   * @return the epoch
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String checkEpoch(String epoch) {
    if (epoch == null || epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH) {
      throw new IllegalArgumentException(
          "epoch must be 1 to " + MAX_EPOCH_LENGTH + " characters, was " + quote(epoch));
    }
    for (int i = 0; i < epoch.length(); i++) {
      char c = epoch.charAt(i);
      if (!isEpochChar(c)) {
        throw new IllegalArgumentException(
            "epoch may only hold A-Z a-z 0-9 _ -, was " + quote(epoch));
      }
    }
    return epoch;
  }

  static boolean isEpochChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }

  private static boolean isChannelChar(char c) {
    return isEpochChar(c) || c == '.' || c == '/' || c == ':' || c == '@' || c == '=';
  }

  private static String describe(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
