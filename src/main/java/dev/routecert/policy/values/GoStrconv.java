package dev.routecert.policy.values;

/** Integers as Go's {@code strconv} reads them, for cert-manager's numeric annotations. */
public final class GoStrconv {

    private GoStrconv() {}

    /** Go's strconv.Atoi: optional sign and decimal digits, within int range (int32 here). */
    public static Integer atoi(String s) {
        if (s.isEmpty() || s.length() > 11) {
            return null;
        }
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        if (i == s.length()) {
            return null;
        }
        for (int k = i; k < s.length(); k++) {
            if (s.charAt(k) < '0' || s.charAt(k) > '9') {
                return null;
            }
        }
        long v = Long.parseLong(s);
        return v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? null : (int) v;
    }
}
