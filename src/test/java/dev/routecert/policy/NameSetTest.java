package dev.routecert.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** NameSet must answer exactly what comparing every pair with {@link HostName#covers} answers. */
class NameSetTest {

    /** Names over many parents (so the parent index grows and collides), with wildcards, IPs and single labels. */
    private static List<HostName> universe() {
        List<String> raw = new ArrayList<>(List.of(
                "com",
                "localhost",
                "example.com",
                "*.com",
                "*.example.com",
                "**.example.com",
                "a.b.example.com",
                "*.b.example.com",
                "10.0.0.1",
                "2001:db8::1",
                "xn--bcher-kva.example"));
        for (int p = 0; p < 40; p++) {
            raw.add("*.p" + p + ".example.com");
            raw.add("p" + p + ".example.com");
            for (int h = 0; h < 3; h++) {
                raw.add("h" + h + ".p" + p + ".example.com");
            }
        }
        List<HostName> names = new ArrayList<>();
        for (String r : raw) {
            names.add(HostName.check(r).name());
        }
        return names;
    }

    /** How many names spec.tls lists almost always: half the rounds draw that few. */
    private static final int FEW = 8;

    @Test
    void agreesWithPairwiseCoverage() {
        List<HostName> all = universe();
        Random random = new Random(42);
        for (int round = 0; round < 80; round++) {
            // half the rounds draw a few names, half many
            List<HostName> members = new ArrayList<>();
            if (round % 2 == 0) {
                for (int i = random.nextInt(FEW + 1); i > 0; i--) {
                    members.add(all.get(random.nextInt(all.size())));
                }
            } else {
                for (HostName n : all) {
                    if (random.nextInt(round % 4 + 2) == 0) {
                        members.add(n);
                    }
                }
            }
            NameSet set = NameSet.of(members);
            for (HostName n : all) {
                boolean covered = false;
                boolean overlapping = false;
                for (HostName m : members) {
                    covered |= m.covers(n);
                    overlapping |= n.covers(m) || m.covers(n);
                }
                assertEquals(covered, set.covers(n), () -> members + " covers " + n);
                assertEquals(overlapping, set.overlaps(n), () -> members + " overlaps " + n);
            }
        }
    }

    /** {@link NameSet#overlapped} answers {@code overlaps} for a few TLS names and for many. */
    @Test
    void overlappedAnswersOverlapsForFewAndManyTlsNames() {
        List<HostName> all = universe();
        Random random = new Random(7);
        for (int round = 0; round < 80; round++) {
            List<HostName> served = new ArrayList<>();
            for (HostName n : all) {
                if (random.nextInt(round % 5 + 2) == 0) {
                    served.add(n);
                }
            }
            List<HostName> tls = new ArrayList<>();
            for (int i = round % 2 == 0 ? random.nextInt(FEW + 1) : FEW + 1 + random.nextInt(30); i > 0; i--) {
                tls.add(all.get(random.nextInt(all.size())));
            }
            boolean[] answers = NameSet.overlapped(tls, served);
            assertEquals(tls.size(), answers.length);
            for (int i = 0; i < tls.size(); i++) {
                boolean expected = false;
                for (HostName s : served) {
                    expected |= s.covers(tls.get(i)) || tls.get(i).covers(s);
                }
                HostName t = tls.get(i);
                assertEquals(expected, answers[i], () -> served + " overlaps " + t);
            }
        }
    }
}
