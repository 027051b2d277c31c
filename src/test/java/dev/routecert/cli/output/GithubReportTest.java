package dev.routecert.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Workflow command values escaped as the Actions runner unescapes them. */
class GithubReportTest {

    @Test
    void messagesEscapePercentAndLineBreaks() {
        assertEquals("100%25 a%0Db%0Ac: d, e", GithubReport.data("100% a\rb\nc: d, e"));
    }

    @Test
    void propertiesAlsoEscapeColonAndComma() {
        assertEquals("a%3Ab%2Cc%25%0A", GithubReport.property("a:b,c%\n"));
    }
}
