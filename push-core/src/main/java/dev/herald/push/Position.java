package dev.herald.push;

/**
 * A point in one channel's history: the epoch that names the history and the offset of the last
 * message before the point ({@code 0} before the first message). Immutable.
 *
 * @param epoch names one unbroken history of the channel
 * @param offset the offset of the last message at or before this point, {@code >= 0}
 */
public record Position(String epoch, long offset) {
  /** Validates the epoch's characters and that the offset is not negative. */
  public Position {
    Names.checkEpoch(epoch);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
  }

  /** The position right after a message with the given offset in this epoch. */
  public Position withOffset(long newOffset) {
    return new Position(epoch, newOffset);
  }
}
