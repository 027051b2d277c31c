package dev.routecert.webhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.routecert.policy.settings.PolicySettings;
import dev.routecert.policy.settings.PolicySnapshot;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PolicySharedHostsTest {

    static PolicySnapshot snapshot(String tenancy) throws Exception {
        PolicySettings.Parsed parsed = PolicySettings.parse(
                new YAMLMapper().readTree("apiVersion: routecert.dev/v1alpha1\nkind: Policy\n" + tenancy));
        assertTrue(parsed.ok(), parsed.problems().toString());
        return new PolicySnapshot(parsed.settings(), "x", "test");
    }

    @Test
    void namespacesOneEntryMatchesShareTheNamesItLists() throws Exception {
        AtomicReference<PolicySnapshot> current = new AtomicReference<>(snapshot("""
                tenancy:
                  sharedHosts:
                    - namespaceSelector: {matchLabels: {shop: frontend}}
                      hosts: [www.example.com, "*.static.example.com"]
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: blog}}
                      hosts: [blog.example.com]
                """));
        Map<String, Map<String, String>> labels = Map.of(
                "shop-a", Map.of("shop", "frontend"),
                "shop-b", Map.of("shop", "frontend"));
        PolicySharedHosts shared = new PolicySharedHosts(current::get, ns -> labels.getOrDefault(ns, Map.of()));

        assertTrue(shared.shared("shop-a", "shop-b", "www.example.com"));
        assertTrue(shared.shared("shop-b", "shop-a", "img.static.example.com"));
        assertFalse(shared.shared("shop-a", "shop-b", "api.example.com"), "a name the entry does not list");
        assertFalse(shared.shared("shop-a", "other", "www.example.com"), "a namespace the entry does not match");
        assertFalse(shared.shared("blog", "shop-a", "blog.example.com"), "each namespace matched by a different entry");

        current.set(PolicySnapshot.DEFAULTS);
        assertFalse(shared.shared("shop-a", "shop-b", "www.example.com"), "a reload applies to the next decision");
    }
}
