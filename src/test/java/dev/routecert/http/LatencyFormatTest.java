package dev.routecert.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyFormatTest {

    @Test
    void millisecondsWithTwoDecimalsRoundedHalfUp() {
        assertEquals("0.00ms", AdmissionEndpoint.formatLatency(0));
        assertEquals("0.00ms", AdmissionEndpoint.formatLatency(4_999));
        assertEquals("0.01ms", AdmissionEndpoint.formatLatency(5_000));
        assertEquals("0.10ms", AdmissionEndpoint.formatLatency(100_000));
        assertEquals("1.23ms", AdmissionEndpoint.formatLatency(1_234_567));
        assertEquals("1.24ms", AdmissionEndpoint.formatLatency(1_235_000));
        assertEquals("2.93ms", AdmissionEndpoint.formatLatency(2_930_000));
        assertEquals("42.88ms", AdmissionEndpoint.formatLatency(42_880_000));
        assertEquals("12345.68ms", AdmissionEndpoint.formatLatency(12_345_678_901L));
    }
}
