package dev.herald.push;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The reverse proxies whose {@code Forwarded} and {@code X-Forwarded-*} headers count: IPv4 and
 * IPv6 addresses and CIDR ranges, such as {@code 127.0.0.1}, {@code 10.0.0.0/8} or {@code
 * fd00::/8}. Only literals are accepted; nothing is looked up in DNS. Immutable.
 */
final class ProxyList {
  static final ProxyList NONE = new ProxyList(List.of());

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  private final List<Range> ranges;

  private ProxyList(List<Range> ranges) {
    this.ranges = ranges;
  }

  /**
   * These addresses or ranges added to this list.
   *
   * @throws IllegalArgumentException naming the first entry that is not an address or range
   */
  ProxyList plus(Collection<String> entries) {
    List<Range> all = new ArrayList<>(ranges);
    for (String entry : entries) {
      all.add(Range.parse(entry));
    }
    return new ProxyList(List.copyOf(all));
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether the address, as a container or a {@code for=} parameter names it, is trusted. */
  boolean trusts(String address) {
    if (ranges.isEmpty() || address == null) {
      return false;
    }
    byte[] bytes = literal(stripPortAndBrackets(address.trim()));
    if (bytes == null) {
      return false;
    }
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return ranges.toString();
  }

  /** {@code [::1]:80} → {@code ::1}, {@code 10.0.0.1:80} → {@code 10.0.0.1}; else unchanged. */
  static String stripPortAndBrackets(String address) {
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      return close < 0 ? address : address.substring(1, close);
    }
    int colon = address.indexOf(':');
    if (colon > 0 && colon == address.lastIndexOf(':')) {
      return address.substring(0, colon);
    }
    return address;
  }

  /** The bytes of an IP literal, IPv4-mapped IPv6 folded to IPv4; {@code null} if not one. */
  static byte[] literal(String text) {
    if (text == null) {
      return null;
    }
    String s = text;
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (!IPV4.matcher(s).matches() && !IPV6.matcher(s).matches()) {
      return null;
    }
    try {
      // Only literals reach this point, so no name is looked up.
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  /** One address or CIDR range. */
  private record Range(String text, byte[] network, int prefix) {
    static Range parse(String entry) {
      String trimmed = entry == null ? "" : entry.trim();
      int slash = trimmed.indexOf('/');
      String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
      byte[] bytes = literal(address);
      int prefix = bytes == null ? -1 : bytes.length * 8;
      if (bytes != null && slash >= 0) {
        try {
          prefix = Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
      }
      if (bytes == null || prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException(
            "trustedProxies entries must be IP addresses or CIDR ranges such as 10.0.0.0/8, was "
                + (entry == null ? "null" : "\"" + entry + "\""));
      }
      return new Range(trimmed, bytes, prefix);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
