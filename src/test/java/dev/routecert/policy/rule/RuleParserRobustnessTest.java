package dev.routecert.policy.rule;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.routecert.policy.RuleSyntax;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary input yields a tree or a syntax error, never an exception, and in linear time.
 * Seeded, so a failure reproduces.
 */
class RuleParserRobustnessTest {

    private static final long SEED = 0x5EED_2026L;

    private static final List<String> VALID = List.of(
            "Host(`www.example.com`) && PathPrefix(`/images`)",
            "(Host(`a.example.com`) || Host(`b.example.com`)) && !Path(`/admin`)",
            "HostRegexp(`^.+\\.example\\.com$`) && Header(`X-Env`, `prod`)",
            "Host(\"a.example.com\") || Query(`q`, `1`) && Method(`GET`)",
            "!!Host(`x.example.com`) && ClientIP(`10.0.0.0/8`)",
            "Host(`a`, `b`) && Headers(`k`, `v`)");

    private static final String[] FRAGMENTS = {
        "Host",
        "Path",
        "PathPrefix",
        "HostRegexp",
        "(",
        ")",
        "`",
        "\"",
        "'",
        ",",
        "&&",
        "||",
        "!",
        "&",
        "|",
        " ",
        "\n",
        "\t",
        "\\",
        "\\u",
        "\\x4",
        "/*",
        "*/",
        "//",
        "a.example.com",
        "*.",
        "0",
        "\u00e9",
        "\uD83D\uDE00",
        "\uD800",
        "\u0000",
        "{x:[a-z]+}",
        "=="
    };

    @Test
    void randomInputOnlyEverYieldsATreeOrASyntaxError() {
        Random random = new Random(SEED);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 5_000; i++) {
                StringBuilder b = new StringBuilder();
                int parts = random.nextInt(30);
                for (int k = 0; k < parts; k++) {
                    if (random.nextInt(4) == 0) {
                        b.append((char) random.nextInt(0x3000));
                    } else {
                        b.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                    }
                }
                check(b.toString());
            }
        });
    }

    @Test
    void mutatedValidRulesOnlyEverYieldATreeOrASyntaxError() {
        Random random = new Random(SEED + 1);
        String alphabet = "()`\"',&|! \n\\/*{}:HostPath.-0123456789";
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 5_000; i++) {
                StringBuilder b = new StringBuilder(VALID.get(random.nextInt(VALID.size())));
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits && b.length() > 0; e++) {
                    int at = random.nextInt(b.length());
                    switch (random.nextInt(3)) {
                        case 0 -> b.deleteCharAt(at);
                        case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        default -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
                check(b.toString());
            }
        });
    }

    private static void check(String rule) {
        ParseResult r;
        try {
            r = RuleParser.parse(rule);
        } catch (RuntimeException e) {
            throw new AssertionError("parse threw on " + escape(rule), e);
        }
        if (r.ok()) {
            for (RuleSyntax s : RuleSyntax.values()) {
                try {
                    RuleAnalyzer.analyze(r.root(), s);
                } catch (RuntimeException e) {
                    throw new AssertionError("analysis threw on " + escape(rule), e);
                }
            }
        } else {
            int off = r.error().offset();
            assertTrue(off >= 0 && off <= rule.length(), () -> "offset " + off + " outside " + escape(rule));
        }
    }

    @Test
    void parsesAHundredKilobyteRuleQuickly() {
        String chain = Stream.iterate(0, i -> i + 1)
                .map(i -> "Host(`host" + i + ".example.com`)")
                .limit(4_000)
                .collect(Collectors.joining(" || ", "(", ") && PathPrefix(`/`)"));
        String longValue = "Host(`" + "a".repeat(100_000) + "`)";
        String deepParens = "(".repeat(100_000) + "Host(`a`)";
        String manyNots = "!".repeat(100_000) + "Host(`a`)";
        String unclosed = "Host(`" + "x".repeat(100_000);
        String manyComments = "Host(`a`)" + " /* c */".repeat(12_500);
        for (var rule : List.of(chain, longValue, deepParens, manyNots, unclosed, manyComments)) {
            assertTrue(rule.length() >= 100_000, "test rule should be at least 100 KB");
            long start = System.nanoTime();
            ParseResult r = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> RuleParser.parse(rule));
            if (r.ok()) {
                RuleAnalyzer.analyze(r.root(), RuleSyntax.V3);
            }
            long micros = (System.nanoTime() - start) / 1_000;
            System.out.printf(
                    "parsed a %d-character rule in %d us (%s)%n",
                    rule.length(),
                    micros,
                    r.ok()
                            ? "ok"
                            : "error at " + r.error().offset() + ": "
                                    + r.error().message());
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.chars().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.append('"').toString();
    }
}
