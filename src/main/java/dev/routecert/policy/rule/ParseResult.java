package dev.routecert.policy.rule;

/** Either a syntax tree or the first syntax error; exactly one of the two is non-null. */
public record ParseResult(RuleNode root, RuleSyntaxError error) {

    public ParseResult {
        if ((root == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of root and error must be set");
        }
    }

    public static ParseResult ok(RuleNode root) {
        return new ParseResult(root, null);
    }

    public static ParseResult failed(RuleSyntaxError error) {
        return new ParseResult(null, error);
    }

    public boolean ok() {
        return root != null;
    }
}
