package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The check ids are an interface: unique, kebab-case, documented, and named by every fixture finding. */
class CheckIdsTest {

    private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    @Test
    void idsAreUniqueAndKebabCase() {
        Set<String> seen = new HashSet<>();
        for (Check c : Check.values()) {
            assertTrue(KEBAB.matcher(c.id()).matches(), c.id());
            assertTrue(seen.add(c.id()), "id used twice: " + c.id());
            assertEquals(Optional.of(c), Check.byId(c.id()));
            assertTrue(c.natural() == Action.DENY || c.natural() == Action.WARN, c.id());
        }
    }

    @Test
    void everyIdHasItsAnchorInChecksMd() throws Exception {
        String doc = Files.readString(Path.of("src/site/markdown/checks.md"));
        for (Check c : Check.values()) {
            assertTrue(doc.contains("<a id=\"" + c.id() + "\"></a>"), "checks.md has no anchor for " + c.id());
        }
        String policy = Files.readString(Path.of("src/site/markdown/policy.md"));
        assertTrue(policy.contains("(checks.md)"), "policy.md links to checks.md");
    }

    @Test
    void unknownIdsGetASuggestionWhenCloseToAKnownOne() {
        assertEquals(Optional.empty(), Check.byId("tls-uncoverd-host"));
        assertEquals(Optional.of("tls-uncovered-host"), Check.suggestion("tls-uncoverd-host"));
        assertEquals(Optional.of("tls-uncovered-host"), Check.suggestion("TLS_UNCOVERED_HOST"));
        assertEquals(
                "unknown check id 'tls-uncoverd-host' (did you mean tls-uncovered-host?)",
                Check.unknownIdMessage("tls-uncoverd-host"));
        assertEquals(Optional.empty(), Check.suggestion("something-else-entirely"));
    }

    @Test
    void isolationChecksAreTheTenancyOnesThatOptOutNeverSkips() {
        assertTrue(Check.HOST_OWNERSHIP.isolation());
        assertTrue(Check.DOMAIN_NOT_ALLOWED.isolation());
        assertFalse(Check.TLS_UNCOVERED_HOST.isolation());
        assertFalse(Check.HOST_OWNERSHIP.blocksCertificate(), "an isolation finding does not mark the route broken");
        assertTrue(Check.TLS_UNCOVERED_HOST.blocksCertificate());
        assertFalse(Check.TLS_UNSERVED_NAME.blocksCertificate());
    }

    @Test
    void everyFixtureFindingNamesAKnownCheck() {
        for (Fixtures.Fixture fx : Fixtures.all()) {
            for (JsonNode v : fx.expected().path("violations")) {
                String id = v.path("check").asText("");
                assertTrue(Check.byId(id).isPresent(), fx.name() + ": violation without a known check: " + v);
            }
            for (JsonNode w : fx.expected().path("warnings")) {
                String first = w.isArray() ? w.path(0).asText("") : w.asText("");
                assertTrue(
                        first.startsWith("[")
                                && first.endsWith("]")
                                && Check.byId(first.substring(1, first.length() - 1))
                                        .isPresent(),
                        fx.name() + ": warning without a known [check]: " + w);
            }
        }
    }
}
