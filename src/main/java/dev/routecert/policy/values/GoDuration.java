package dev.routecert.policy.values;

import java.math.BigInteger;

/**
 * Go's {@code time.ParseDuration} and {@code Duration.String}, because cert-manager reads its
 * duration annotations with the former and writes Certificates with the latter
 * ({@code 2160h} becomes {@code 2160h0m0s}). A hand-written scanner: linear, no regexps.
 */
public final class GoDuration {

    public static final long NANOSECOND = 1L;
    public static final long MICROSECOND = 1000L * NANOSECOND;
    public static final long MILLISECOND = 1000L * MICROSECOND;
    public static final long SECOND = 1000L * MILLISECOND;
    public static final long MINUTE = 60L * SECOND;
    public static final long HOUR = 60L * MINUTE;

    /** A parse result: nanoseconds, or an error message in Go's words. */
    public record Parsed(long nanos, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private GoDuration() {}

    public static Parsed parse(String orig) {
        String s = orig == null ? "" : orig;
        String invalid = "invalid duration \"" + s + "\"";
        boolean neg = false;
        int i = 0;
        int n = s.length();
        if (n > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            i = 1;
        }
        if (s.substring(i).equals("0")) {
            return new Parsed(0, null);
        }
        if (i == n) {
            return new Parsed(0, invalid);
        }
        // Go accumulates in uint64 and allows up to 1<<63 before the sign is applied.
        BigInteger limit = BigInteger.ONE.shiftLeft(63);
        BigInteger total = BigInteger.ZERO;
        while (i < n) {
            char c = s.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return new Parsed(0, invalid);
            }
            int intStart = i;
            BigInteger v = BigInteger.ZERO;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v.multiply(BigInteger.TEN).add(BigInteger.valueOf(s.charAt(i) - '0'));
                if (v.compareTo(limit) > 0) {
                    return new Parsed(0, invalid);
                }
                i++;
            }
            boolean pre = i != intStart;
            long frac = 0;
            double scale = 1;
            boolean post = false;
            if (i < n && s.charAt(i) == '.') {
                i++;
                int fracStart = i;
                boolean overflow = false;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    if (!overflow) {
                        if (frac > (Long.MAX_VALUE - 9) / 10) {
                            overflow = true; // further digits are dropped, as Go does
                        } else {
                            frac = frac * 10 + (s.charAt(i) - '0');
                            scale *= 10;
                        }
                    }
                    i++;
                }
                post = i != fracStart;
            }
            if (!pre && !post) {
                return new Parsed(0, invalid);
            }
            int unitStart = i;
            while (i < n && s.charAt(i) != '.' && !(s.charAt(i) >= '0' && s.charAt(i) <= '9')) {
                i++;
            }
            if (unitStart == i) {
                return new Parsed(0, "missing unit in duration \"" + s + "\"");
            }
            String unitText = s.substring(unitStart, i);
            long unit = switch (unitText) {
                case "ns" -> NANOSECOND;
                case "us", "\u00b5s", "\u03bcs" -> MICROSECOND;
                case "ms" -> MILLISECOND;
                case "s" -> SECOND;
                case "m" -> MINUTE;
                case "h" -> HOUR;
                default -> -1;
            };
            if (unit < 0) {
                return new Parsed(0, "unknown unit \"" + unitText + "\" in duration \"" + s + "\"");
            }
            v = v.multiply(BigInteger.valueOf(unit));
            if (v.compareTo(limit) > 0) {
                return new Parsed(0, invalid);
            }
            if (frac > 0) {
                v = v.add(BigInteger.valueOf((long) ((double) frac * ((double) unit / scale))));
                if (v.compareTo(limit) > 0) {
                    return new Parsed(0, invalid);
                }
            }
            total = total.add(v);
            if (total.compareTo(limit) > 0) {
                return new Parsed(0, invalid);
            }
        }
        if (neg) {
            return new Parsed(total.negate().longValue(), null);
        }
        if (total.compareTo(limit) >= 0) {
            return new Parsed(0, invalid);
        }
        return new Parsed(total.longValue(), null);
    }

    /** Go's {@code Duration.String()}: {@code 2160h0m0s}, {@code 1h30m0s}, {@code 1.5s}, {@code 300ms}. */
    public static String format(long d) {
        if (d == 0) {
            return "0s";
        }
        boolean neg = d < 0;
        // magnitude as unsigned; Long.MIN_VALUE stays representable through unsigned arithmetic
        long u = neg ? -d : d;
        StringBuilder out = new StringBuilder();
        if (Long.compareUnsigned(u, SECOND) < 0) {
            int prec;
            String unit;
            if (u < MICROSECOND) {
                prec = 0;
                unit = "ns";
            } else if (u < MILLISECOND) {
                prec = 3;
                unit = "\u00b5s";
            } else {
                prec = 6;
                unit = "ms";
            }
            out.append(fraction(u, prec)).append(unit);
        } else {
            long secs = Long.divideUnsigned(u, SECOND);
            long nanos = Long.remainderUnsigned(u, SECOND);
            String sec = (secs % 60) + fractionPart(nanos, 9) + "s";
            long mins = secs / 60;
            if (mins > 0) {
                long hours = mins / 60;
                sec = (mins % 60) + "m" + sec;
                if (hours > 0) {
                    sec = hours + "h" + sec;
                }
            }
            out.append(sec);
        }
        return (neg ? "-" : "") + out;
    }

    private static String fraction(long v, int prec) {
        long pow = 1;
        for (int i = 0; i < prec; i++) {
            pow *= 10;
        }
        return (v / pow) + fractionPart(v % pow, prec);
    }

    private static String fractionPart(long frac, int prec) {
        if (frac == 0) {
            return "";
        }
        StringBuilder digits = new StringBuilder(Long.toString(frac));
        while (digits.length() < prec) {
            digits.insert(0, '0');
        }
        int end = digits.length();
        while (end > 0 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return "." + digits.substring(0, end);
    }
}
