package dev.routecert.policy.values;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The value parsers against what Go's encoding/csv, strconv.Atoi and net/mail answer for the same input. */
class GoValuesTest {

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "a,b,c|[a, b, c]",
                "a|[a]",
                "a,,b|[a, , b]",
                "'\"a,b\",c'|[a,b, c]",
                "'\"say \"\"hi\"\"\"'|[say \"hi\"]",
                "' a , b '|[ a ,  b ]",
                "'a,b\n'|[a, b]",
            })
    void csvRecordsSplitAsGoReadsThem(String record, String expected) {
        List<String> out = new ArrayList<>();
        assertNull(GoCsv.splitRecord(record, out));
        assertEquals(expected, out.toString());
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "''|no values",
                "'\"a,b'|a quoted value is not closed",
                "'\"a\"b'|extraneous or missing \" in a quoted value",
                "'a\"b'|bare \" in a value that is not quoted",
                "'a\nb'|values span more than one line",
            })
    void csvRecordsGoRefusesAreRefused(String record, String problem) {
        assertEquals(problem, GoCsv.splitRecord(record, new ArrayList<>()));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "0|0",
                "42|42",
                "+7|7",
                "-7|-7",
                "007|7",
                "2147483647|2147483647",
                "-2147483648|-2147483648",
                "2147483648|",
                "''|",
                "-|",
                "1.5|",
                "' 1'|",
                "0x10|",
                "1e3|",
            })
    void integersReadAsStrconvAtoiReadsThem(String text, Integer expected) {
        assertEquals(expected, GoStrconv.atoi(text));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "a@example.com|true",
                "first.last+tag@example.co.uk|true",
                "ü@example.com|true",
                "@example.com|false",
                "a@|false",
                "a..b@example.com|false",
                ".a@example.com|false",
                "a b@example.com|false",
                "'Name <a@example.com>'|false",
                "a@b@example.com|false",
            })
    void emailAddressesAreDotAtomAddrSpecs(String text, boolean accepted) {
        assertEquals(accepted, EmailAddresses.isAddress(text));
    }
}
