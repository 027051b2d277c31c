package dev.routecert.policy.rule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Parses Traefik's rule language into a {@link RuleNode} tree.
 *
 * <p>Traefik hands rules to Go's expression parser, so this follows Go's lexical rules: backtick raw
 * strings, double-quoted strings with Go escapes, {@code //} and {@code /* *}{@code /} comments, and
 * Go's automatic semicolon: a line break right after a name, a string or {@code )} ends the
 * expression, so Traefik rejects {@code Host(`a`)⏎&& Path(`/`)} although it accepts
 * {@code Host(`a`) &&⏎Path(`/`)}. Only {@code &&}, {@code ||}, {@code !}, parentheses and matcher
 * calls with string arguments are valid, as in Traefik.
 *
 * <p>The parser is linear in the rule's length: every character is looked at a bounded number of
 * times, {@code &&}/{@code ||} chains are loops, and nesting by parentheses or {@code !} is capped at
 * {@link #MAX_DEPTH}, so recursion depth is bounded too. It never throws: any input yields either a
 * tree or a {@link RuleSyntaxError} with the offset of the problem.
 */
public final class RuleParser {

    /** Maximum nesting of parentheses and negations; real rules use a handful. */
    public static final int MAX_DEPTH = 64;

    private enum Type {
        IDENT(null),
        STRING(null),
        LPAREN("("),
        RPAREN(")"),
        COMMA(","),
        AND("&&"),
        OR("||"),
        NOT("!"),
        EOF("");

        /** The token's text when it is always the same. */
        final String symbol;

        Type(String symbol) {
            this.symbol = symbol;
        }
    }

    /** Internal control flow for the first syntax error; never escapes {@link #parse}. */
    private static final class Failure extends RuntimeException {
        final transient RuleSyntaxError error;

        Failure(int offset, String message, String hint) {
            super(message, null, false, false);
            this.error = new RuleSyntaxError(offset, message, hint);
        }
    }

    private final String src;
    private int pos;
    // The current token, in fields rather than an object per token: the lexer runs over every
    // route of every review.
    private Type tokType;
    private int tokStart;
    private int tokEnd;
    private String tokText; // the name or the decoded value; the symbol for the other types
    private char tokQuote; // '`' or '"' for a STRING
    private Type last; // type of the previous token, for Go's semicolon insertion

    private RuleParser(String src) {
        this.src = src;
    }

    /** Parses one rule. Never throws; returns the first syntax error instead. */
    public static ParseResult parse(String rule) {
        if (rule == null) {
            return ParseResult.failed(
                    new RuleSyntaxError(0, "the rule is empty", "write a rule such as Host(`example.com`)"));
        }
        RuleParser p = new RuleParser(rule);
        try {
            p.advance();
            if (p.tokType == Type.EOF) {
                throw new Failure(0, "the rule is empty", "write a rule such as Host(`example.com`)");
            }
            RuleNode root = p.parseOr(0);
            if (p.tokType != Type.EOF) {
                throw new Failure(
                        p.tokStart,
                        "unexpected " + p.describeToken() + " after a complete matcher",
                        "join matchers with && (and) or || (or)");
            }
            return ParseResult.ok(root);
        } catch (Failure f) {
            return ParseResult.failed(f.error);
        } catch (RuntimeException e) {
            // Defensive: a bug here must surface as a rule error, not as a failed admission.
            return ParseResult.failed(new RuleSyntaxError(
                    Math.min(p.pos, rule.length()),
                    "the rule could not be parsed (" + e.getClass().getSimpleName() + ")",
                    "simplify the rule and try again"));
        }
    }

    // ---------------------------------------------------------------- grammar

    private RuleNode parseOr(int depth) {
        RuleNode first = parseAnd(depth);
        if (tokType != Type.OR) {
            return first;
        }
        advance();
        List<RuleNode> operands = List.of(first, parseAnd(depth));
        while (tokType == Type.OR) {
            advance();
            operands = Lists.append(operands, parseAnd(depth));
        }
        return new RuleNode.Or(operands);
    }

    private RuleNode parseAnd(int depth) {
        RuleNode first = parseUnary(depth);
        if (tokType != Type.AND) {
            return first;
        }
        advance();
        List<RuleNode> operands = List.of(first, parseUnary(depth));
        while (tokType == Type.AND) {
            advance();
            operands = Lists.append(operands, parseUnary(depth));
        }
        return new RuleNode.And(operands);
    }

    private RuleNode parseUnary(int depth) {
        if (tokType == Type.NOT) {
            int at = tokStart;
            checkDepth(depth + 1, at);
            advance();
            return new RuleNode.Not(parseUnary(depth + 1), at);
        }
        return parsePrimary(depth);
    }

    private RuleNode parsePrimary(int depth) {
        switch (tokType) {
            case LPAREN -> {
                int open = tokStart;
                checkDepth(depth + 1, open);
                advance();
                RuleNode inner = parseOr(depth + 1);
                if (tokType != Type.RPAREN) {
                    if (tokType == Type.EOF) {
                        throw new Failure(
                                open, "the '(' at offset " + open + " is never closed", "add the missing ')'");
                    }
                    throw new Failure(
                            tokStart,
                            "expected ')' but found " + describeToken(),
                            "close the '(' at offset " + open + " or join matchers with && or ||");
                }
                advance();
                return inner;
            }
            case IDENT -> {
                String name = tokText;
                int nameStart = tokStart;
                int nameEnd = tokEnd;
                advance();
                return parseCall(name, nameStart, nameEnd);
            }
            case STRING ->
                throw new Failure(
                        tokStart,
                        "a quoted value must be the argument of a matcher",
                        "write it as Host(" + quoteForHint(tokText) + ") or PathPrefix(...)");
            case EOF ->
                throw new Failure(
                        src.length(),
                        "the rule ends where a matcher was expected",
                        "remove the trailing operator or add a matcher such as Host(`example.com`)");
            default ->
                throw new Failure(
                        tokStart,
                        "unexpected " + describeToken() + " where a matcher was expected",
                        "a rule is made of matchers like Host(`example.com`) joined by &&, || and !");
        }
    }

    private RuleNode parseCall(String name, int nameStart, int nameEnd) {
        if (tokType != Type.LPAREN) {
            int at = tokType == Type.EOF ? nameEnd : tokStart;
            throw new Failure(
                    at,
                    "'" + name + "' must be followed by its arguments in parentheses",
                    "write " + name + "(`value`)");
        }
        int open = tokStart;
        advance();
        List<RuleNode.Arg> args = List.of();
        while (tokType != Type.RPAREN) {
            if (tokType == Type.STRING) {
                args = Lists.append(args, new RuleNode.Arg(tokText, tokStart, tokQuote));
                advance();
                if (tokType == Type.COMMA) {
                    advance(); // Go allows a trailing comma before ')'
                } else if (tokType != Type.RPAREN) {
                    throw unexpectedInArgs(name, open);
                }
            } else if (tokType == Type.IDENT) {
                throw new Failure(
                        tokStart,
                        "the argument " + tokText + " of " + name + " is not quoted",
                        "quote it with backticks: " + name + "(`" + tokText + "`)");
            } else {
                throw unexpectedInArgs(name, open);
            }
        }
        advance();
        return new RuleNode.Call(name, nameStart, args);
    }

    private Failure unexpectedInArgs(String name, int open) {
        if (tokType == Type.EOF) {
            return new Failure(open, "the '(' of " + name + " is never closed", "add the missing ')'");
        }
        return new Failure(
                tokStart,
                "unexpected " + describeToken() + " in the arguments of " + name,
                "arguments are quoted strings separated by commas, e.g. " + name + "(`value`)");
    }

    private void checkDepth(int depth, int at) {
        if (depth > MAX_DEPTH) {
            throw new Failure(
                    at,
                    "the rule nests parentheses and negations more than " + MAX_DEPTH + " levels deep",
                    "flatten the rule: (a) || (b) needs no extra parentheses, and !!x is x");
        }
    }

    // ---------------------------------------------------------------- lexer

    private void advance() {
        skipSpaceAndComments();
        scan();
        last = tokType;
    }

    private void skipSpaceAndComments() {
        int newlineAt = -1;
        int n = src.length();
        while (pos < n) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '\n') {
                if (newlineAt < 0) {
                    newlineAt = pos;
                }
                pos++;
            } else if (c == '/' && pos + 1 < n && src.charAt(pos + 1) == '/') {
                int eol = src.indexOf('\n', pos);
                pos = eol < 0 ? n : eol; // the newline itself is handled by the loop
            } else if (c == '/' && pos + 1 < n && src.charAt(pos + 1) == '*') {
                int close = src.indexOf("*/", pos + 2);
                if (close < 0) {
                    throw new Failure(pos, "the comment is never closed", "end it with */ or remove it");
                }
                for (int k = pos; k < close && newlineAt < 0; k++) {
                    if (src.charAt(k) == '\n') {
                        newlineAt = pos; // a comment spanning lines counts as a line break in Go
                    }
                }
                pos = close + 2;
            } else {
                break;
            }
        }
        if (newlineAt >= 0 && pos < n && (last == Type.IDENT || last == Type.STRING || last == Type.RPAREN)) {
            throw new Failure(
                    newlineAt,
                    "a line break after " + describeType(last) + " ends the rule for Traefik (Go inserts a ';' there)",
                    "put && or || at the end of the line instead of the start of the next, or write the rule on one line");
        }
    }

    /** Makes the token that starts at {@code from} and ends at {@link #pos} the current one. */
    private void token(Type t, int from, String value, char q) {
        tokType = t;
        tokStart = from;
        tokEnd = pos;
        tokText = value;
        tokQuote = q;
    }

    private void symbol(Type t, int from) {
        token(t, from, t.symbol, '\0');
    }

    private void scan() {
        int n = src.length();
        if (pos >= n) {
            symbol(Type.EOF, n);
            return;
        }
        int start = pos;
        char c = src.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                symbol(Type.LPAREN, start);
                return;
            }
            case ')' -> {
                pos++;
                symbol(Type.RPAREN, start);
                return;
            }
            case ',' -> {
                pos++;
                symbol(Type.COMMA, start);
                return;
            }
            case '&' -> {
                if (pos + 1 < n && src.charAt(pos + 1) == '&') {
                    pos += 2;
                    symbol(Type.AND, start);
                    return;
                }
                throw new Failure(start, "a single '&' is not an operator", "use && for AND and || for OR");
            }
            case '|' -> {
                if (pos + 1 < n && src.charAt(pos + 1) == '|') {
                    pos += 2;
                    symbol(Type.OR, start);
                    return;
                }
                throw new Failure(start, "a single '|' is not an operator", "use || for OR and && for AND");
            }
            case '!' -> {
                if (pos + 1 < n && src.charAt(pos + 1) == '=') {
                    throw new Failure(
                            start, "'!=' is not supported in a rule", "negate a matcher with !, e.g. !Path(`/admin`)");
                }
                pos++;
                symbol(Type.NOT, start);
                return;
            }
            case '`' -> {
                rawString(start);
                return;
            }
            case '"' -> {
                interpretedString(start);
                return;
            }
            case '\'' ->
                throw new Failure(
                        start,
                        "single quotes are not allowed in Traefik rules",
                        "quote values with backticks: Host(`example.com`)");
            default -> {
                // handled below
            }
        }
        int cp = src.codePointAt(pos);
        if (cp == '_' || Character.isLetter(cp)) {
            pos += Character.charCount(cp);
            while (pos < n) {
                int d = src.codePointAt(pos);
                if (d == '_' || Character.isLetter(d) || Character.isDigit(d)) {
                    pos += Character.charCount(d);
                } else {
                    break;
                }
            }
            String known = Matchers.spelling(src, start, pos);
            token(Type.IDENT, start, known != null ? known : src.substring(start, pos), '\0');
            return;
        }
        if (Character.isDigit(cp)) {
            throw new Failure(
                    start,
                    "unexpected number; matcher arguments are quoted strings",
                    "quote the value with backticks, e.g. `" + numberAt(start) + "`");
        }
        if (c == '=' || c == '<' || c == '>') {
            throw new Failure(
                    start,
                    "comparison operators are not supported in a rule",
                    "use matchers such as Header(`name`, `value`) instead");
        }
        throw new Failure(
                start,
                "unexpected character " + printable(cp),
                "remove it; a rule uses only matchers, &&, ||, ! and parentheses");
    }

    private void rawString(int start) {
        int close = src.indexOf('`', start + 1);
        if (close < 0) {
            throw new Failure(start, "the value starting with ` is never closed", "close it with a backtick (`)");
        }
        pos = close + 1;
        String body = src.substring(start + 1, close);
        if (body.indexOf('\r') >= 0) {
            body = body.replace("\r", ""); // Go drops carriage returns from raw strings
        }
        token(Type.STRING, start, body, '`');
    }

    private void interpretedString(int start) {
        int n = src.length();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = start + 1;
        while (true) {
            if (i >= n || src.charAt(i) == '\n') {
                throw new Failure(
                        start,
                        "the value starting with \" is never closed",
                        "close it with a double quote, or use backticks: `value`");
            }
            char c = src.charAt(i);
            if (c == '"') {
                pos = i + 1;
                token(Type.STRING, start, bytes.toString(StandardCharsets.UTF_8), '"');
                return;
            }
            if (c != '\\') {
                int cp = src.codePointAt(i);
                byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(enc, 0, enc.length);
                i += Character.charCount(cp);
                continue;
            }
            int escAt = i;
            if (i + 1 >= n) {
                throw new Failure(start, "the value starting with \" is never closed", "close it with a double quote");
            }
            char e = src.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> bytes.write(7);
                case 'b' -> bytes.write(8);
                case 'f' -> bytes.write(12);
                case 'n' -> bytes.write(10);
                case 'r' -> bytes.write(13);
                case 't' -> bytes.write(9);
                case 'v' -> bytes.write(11);
                case '\\' -> bytes.write('\\');
                case '"' -> bytes.write('"');
                case 'x' -> {
                    bytes.write(hex(i, 2, escAt));
                    i += 2;
                }
                case 'u', 'U' -> {
                    int len = e == 'u' ? 4 : 8;
                    int cp = hex(i, len, escAt);
                    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                        throw new Failure(
                                escAt,
                                "escape " + src.substring(escAt, i + len) + " is not a valid Unicode character",
                                "write the character itself, or use backticks");
                    }
                    byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    bytes.write(enc, 0, enc.length);
                    i += len;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = 0;
                        for (int k = 0; k < 3; k++) {
                            int at = i - 1 + k;
                            if (at >= n || src.charAt(at) < '0' || src.charAt(at) > '7') {
                                throw new Failure(
                                        escAt,
                                        "an octal escape needs exactly three digits",
                                        "write \\101 for 'A', or use backticks where a backslash needs no escaping");
                            }
                            v = v * 8 + (src.charAt(at) - '0');
                        }
                        if (v > 255) {
                            throw new Failure(escAt, "octal escape value is above 255", "use backticks for the value");
                        }
                        bytes.write(v);
                        i += 2;
                    } else {
                        throw new Failure(
                                escAt,
                                "unknown escape sequence \\" + printableChar(e) + " in a double-quoted value",
                                "use backticks, where a backslash needs no escaping, e.g. PathRegexp(`^/a\\.b$`)");
                    }
                }
            }
        }
    }

    private int hex(int from, int len, int escAt) {
        if (from + len > src.length()) {
            throw new Failure(escAt, "escape sequence is cut short", "use backticks for the value");
        }
        int v = 0;
        for (int k = 0; k < len; k++) {
            int d = Character.digit(src.charAt(from + k), 16);
            if (d < 0) {
                throw new Failure(
                        escAt, "escape sequence needs " + len + " hexadecimal digits", "use backticks for the value");
            }
            v = v * 16 + d;
        }
        return v;
    }

    private String numberAt(int start) {
        int end = start;
        while (end < src.length()
                && end - start < 20
                && (Character.isLetterOrDigit(src.charAt(end)) || src.charAt(end) == '.')) {
            end++;
        }
        return src.substring(start, end);
    }

    /** The current token, for messages. */
    private String describeToken() {
        return switch (tokType) {
            case IDENT -> "'" + tokText + "'";
            case STRING -> "the quoted value " + quoteForHint(tokText);
            case EOF -> "the end of the rule";
            default -> "'" + tokText + "'";
        };
    }

    private static String describeType(Type t) {
        return switch (t) {
            case IDENT -> "a matcher name";
            case STRING -> "a quoted value";
            case RPAREN -> "')'";
            default -> t.name();
        };
    }

    private static String quoteForHint(String value) {
        String v = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return "`" + v + "`";
    }

    private static String printable(int cp) {
        if (cp < 0x20 || cp == 0x7F || Character.isWhitespace(cp) || Character.getType(cp) == Character.FORMAT) {
            return String.format("U+%04X", cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }

    private static String printableChar(char c) {
        return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : String.valueOf(c);
    }
}
