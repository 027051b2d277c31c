package dev.routecert.policy.values;

/** E-mail addresses as cert-manager's {@code email-sans} annotation accepts them. */
public final class EmailAddresses {

    private EmailAddresses() {}

    /** An RFC 5322 addr-spec with dot-atom parts, as Go's net/mail parses it when nothing but the address is given. */
    public static boolean isAddress(String s) {
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            return false;
        }
        return isDotAtom(s.substring(0, at)) && isDotAtom(s.substring(at + 1));
    }

    private static boolean isDotAtom(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean atext = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0
                    || c >= 0x80;
            if (!atext) {
                return false;
            }
        }
        return true;
    }
}
