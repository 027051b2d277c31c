package dev.routecert.policy.values;

import java.util.Optional;

/**
 * IP literal parsing without name resolution ({@code InetAddress.getByName} would do DNS for
 * anything that is not a literal, which a pure policy must never do). Accepts what Go's
 * {@code net.ParseIP} accepts: dotted-quad IPv4 without leading zeros, and IPv6 with {@code ::}
 * and an optional trailing IPv4 part; no zones.
 */
public final class IpAddresses {

    private IpAddresses() {}

    /** The canonical text of an IP literal (RFC 5952 for IPv6), or empty if it is not one. */
    public static Optional<String> canonical(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return Optional.empty();
        }
        byte[] v4 = parseV4(text);
        if (v4 != null) {
            return Optional.of(formatV4(v4, 0));
        }
        byte[] v6 = parseV6(text);
        if (v6 == null) {
            return Optional.empty();
        }
        if (isV4Mapped(v6)) {
            return Optional.of(formatV4(v6, 12)); // Go prints ::ffff:a.b.c.d as a.b.c.d
        }
        return Optional.of(formatV6(v6));
    }

    public static boolean isIp(String text) {
        return canonical(text).isPresent();
    }

    /** True for {@code a.b.c.d/n} or {@code v6/n} with a prefix length that fits the address family. */
    public static boolean isCidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String addr = text.substring(0, slash);
        String bits = text.substring(slash + 1);
        if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        if (bits.length() > 1 && bits.charAt(0) == '0') {
            return false;
        }
        int n = Integer.parseInt(bits);
        if (parseV4(addr) != null) {
            return n <= 32;
        }
        return parseV6(addr) != null && n <= 128;
    }

    static byte[] parseV4(String s) {
        int address = 0; // the array is made only for an address: most text checked here is a host name
        int part = 0;
        int i = 0;
        int n = s.length();
        while (part < 4) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            int len = i - start;
            if (len == 0 || v > 255 || (len > 1 && s.charAt(start) == '0')) {
                return null;
            }
            address = address << 8 | v;
            part++;
            if (part < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == n
                ? new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address}
                : null;
    }

    static byte[] parseV6(String s) {
        if (s.indexOf(':') < 0) {
            return null; // every IPv6 literal has one; spares the array for host names
        }
        byte[] out = new byte[16];
        int n = s.length();
        int i = 0;
        int groups = 0; // 16-bit groups written
        int ellipsis = -1; // group index where :: appeared
        if (n >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
            ellipsis = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        } else if (n > 0 && s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            int start = i;
            int v = 0;
            while (i < n && i - start < 4 && Character.digit(s.charAt(i), 16) >= 0) {
                v = v * 16 + Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i == start) {
                return null;
            }
            if (i < n && s.charAt(i) == '.') {
                // trailing IPv4 part, takes two groups
                if (groups > 6 || (ellipsis < 0 && groups != 6)) {
                    return null;
                }
                byte[] v4 = parseV4(s.substring(start));
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, groups * 2, 4);
                groups += 2;
                i = n;
                break;
            }
            if (groups >= 8) {
                return null;
            }
            out[groups * 2] = (byte) (v >> 8);
            out[groups * 2 + 1] = (byte) v;
            groups++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (ellipsis >= 0) {
                    return null;
                }
                ellipsis = groups;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null; // trailing single colon
            }
        }
        if (ellipsis >= 0) {
            if (groups >= 8) {
                return null;
            }
            int shift = 8 - groups;
            for (int g = groups - 1; g >= ellipsis; g--) {
                out[(g + shift) * 2] = out[g * 2];
                out[(g + shift) * 2 + 1] = out[g * 2 + 1];
            }
            for (int g = ellipsis; g < ellipsis + shift; g++) {
                out[g * 2] = 0;
                out[g * 2 + 1] = 0;
            }
        } else if (groups != 8) {
            return null;
        }
        return out;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int k = 0; k < 10; k++) {
            if (a[k] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static String formatV4(byte[] a, int from) {
        return (a[from] & 0xff) + "." + (a[from + 1] & 0xff) + "." + (a[from + 2] & 0xff) + "." + (a[from + 3] & 0xff);
    }

    private static String formatV6(byte[] a) {
        int[] g = new int[8];
        for (int k = 0; k < 8; k++) {
            g[k] = ((a[2 * k] & 0xff) << 8) | (a[2 * k + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int k = 0; k < 8; ) {
            if (g[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (k < 8 && g[k] == 0) {
                k++;
            }
            if (k - start > bestLen) {
                bestLen = k - start;
                bestStart = start;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                b.append("::");
                k += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[k]));
        }
        return b.toString();
    }
}
