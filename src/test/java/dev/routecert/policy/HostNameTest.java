package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNameTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "www.example.com        | www.example.com  | DNS",
                "WWW.Example.COM.       | www.example.com  | DNS",
                "*.Example.com          | *.example.com    | WILDCARD",
                "**.example.com         | **.example.com   | MULTI_WILDCARD",
                "10.1.0.71              | 10.1.0.71        | IPV4",
                "2001:DB8:0:0:0:0:0:1   | 2001:db8::1      | IPV6",
                "[2001:db8::1]          | 2001:db8::1      | IPV6",
                "::ffff:10.0.0.1        | 10.0.0.1         | IPV4",
                "fe80::1:0:0:0          | fe80::1:0:0:0    | IPV6",
                "xn--bcher-kva.example  | xn--bcher-kva.example | DNS",
            })
    void normalises(String raw, String ascii, HostName.Type type) {
        HostName.Check c = HostName.check(raw);
        assertTrue(c.ok(), () -> "problem: " + c.problem());
        assertEquals(ascii, c.name().ascii());
        assertEquals(type, c.name().type());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "example.com:8443       | includes a port",
                "a.*.example.com        | whole leftmost label",
                "*                      | whole leftmost label",
                "*foo.example.com       | whole leftmost label",
                "my_svc.example.com     | '_' is not allowed",
                "-a.example.com         | must start and end",
                "a..example.com         | empty label",
                "\"exa mple.com\"         | whitespace",
                "[not-an-ip]            | not a valid IPv6",
                "1:2:3                  | neither a DNS name nor an IP",
            })
    void rejects(String raw, String problem) {
        HostName.Check c = HostName.check(raw);
        assertNotNull(c.problem(), "expected a problem");
        assertTrue(c.problem().contains(problem), () -> c.problem());
        assertNotNull(c.hint());
    }

    @Test
    void internationalNamesAreComparedAsALabelsButReported() {
        HostName.Check c = HostName.check("B\u00fccher.example");
        assertEquals("xn--bcher-kva.example", c.name().ascii(), "compared in A-label form");
        assertTrue(c.problem().contains("non-ASCII"));
        assertEquals("write xn--bcher-kva.example", c.hint());
        HostName.Check wild = HostName.check("*.b\u00fccher.example");
        assertEquals("*.xn--bcher-kva.example", wild.name().ascii());
    }

    /** java.net.IDN throws a bare RuntimeException on long input; the check must answer instead. */
    @Test
    void longInternationalNamesAreReportedNotThrown() {
        HostName.Check tooLong = HostName.check("\u00fc".repeat(2_000) + ".example");
        assertNull(tooLong.name());
        assertTrue(tooLong.problem().contains("a DNS name has at most 253"), tooLong.problem());
        assertTrue(tooLong.problem().length() < 200, "the name is shortened in the message");
        HostName.Check longLabel = HostName.check("\u00fc".repeat(200) + ".example");
        assertNull(longLabel.name());
        assertTrue(longLabel.problem().contains("not a valid internationalized domain name"), longLabel.problem());
        assertNull(HostName.toAscii("\u00fc".repeat(2_000)));
    }

    @Test
    void labelAndNameLengthLimits() {
        String label63 = "a".repeat(63);
        assertTrue(HostName.check(label63 + ".example.com").ok());
        assertTrue(HostName.check("a".repeat(64) + ".example.com").problem().contains("at most 63"));
        String name253 = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertEquals(253, name253.length());
        assertTrue(HostName.check(name253).ok());
        assertTrue(HostName.check(name253 + "d").problem().contains("at most 253"));
        assertTrue(HostName.check(name253 + ".").ok(), "a trailing dot does not count");
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "a.example.com, a.example.com, true",
        "A.Example.com., a.example.com, true",
        "*.example.com, a.example.com, true",
        "*.example.com, A.EXAMPLE.COM., true",
        "*.example.com, example.com, false",
        "*.example.com, a.b.example.com, false",
        "*.example.com, *.example.com, true",
        "*.example.com, *.a.example.com, false",
        "*.com, example.com, true",
        "a.example.com, *.example.com, false",
        "example.com, www.example.com, false",
        "10.1.0.71, 10.1.0.71, true",
        "*.1.0.71, 10.1.0.71, false",
        "2001:db8::1, [2001:DB8::1], true",
        "**.example.com, a.example.com, false",
    })
    void coverageIsRfc6125(String tls, String served, boolean expected) {
        HostName t = HostName.check(tls).name();
        HostName s = HostName.check(served).name();
        assertNotNull(t);
        assertNotNull(s);
        assertEquals(expected, t.covers(s));
    }

    @Test
    void emptyIsAProblemWithoutAName() {
        HostName.Check c = HostName.check("");
        assertNull(c.name());
        assertNotNull(c.problem());
    }

    /**
     * The one-pass reading of plain names must agree with the full one on every input: names it takes
     * and names it leaves to the full reading. Random text from characters that sit on every rule's
     * edge (case, digits only, '-', '*', '.', ':', '_', brackets, non-ASCII, space), and labels and
     * names around the 63 and 253 limits.
     */
    @Test
    void theOnePassReadingAgreesWithTheFullOne() {
        String[] pieces = {
            "a",
            "z",
            "Z",
            "0",
            "9",
            "-",
            ".",
            "*",
            "*.",
            "**.",
            ":",
            "_",
            "[",
            "]",
            " ",
            "é",
            "xn--",
            "com",
            "a".repeat(62),
            "b".repeat(63),
            "c".repeat(64),
            "1",
            "255",
            "256",
            "::1"
        };
        Random random = new Random(20261122);
        int taken = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder();
            int parts = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 8);
            for (int p = 0; p < parts; p++) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String raw = b.toString();
            assertEquals(HostName.checkEveryForm(raw), HostName.check(raw), () -> "for '" + raw + "'");
            if (HostName.plain(raw) != null) {
                taken++;
            }
        }
        assertTrue(taken > 1_000, "the one-pass reading took only " + taken + " of the names");
        for (String raw : new String[] {
            "a".repeat(63) + ".com",
            "a".repeat(64) + ".com",
            ("a".repeat(63) + ".").repeat(3) + "b".repeat(61),
            ("a".repeat(63) + ".").repeat(3) + "b".repeat(62),
            "*." + "a".repeat(63),
            "a-b.c",
            "1-2.3",
            "1.2.3.4",
            "1.2.3",
            "*.1.2",
            "a.b.",
            "-a.b",
            "a-.b",
            "a.-b",
            "a.b-",
            "*.",
            "*",
            "example.com"
        }) {
            assertEquals(HostName.checkEveryForm(raw), HostName.check(raw), () -> "for '" + raw + "'");
        }
    }
}
