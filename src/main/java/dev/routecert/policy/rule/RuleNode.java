package dev.routecert.policy.rule;

import java.util.List;

/**
 * The syntax tree of a Traefik rule. {@code &&} and {@code ||} chains are n-ary nodes, so a long
 * chain is a flat list rather than a deep tree; only parentheses and {@code !} add depth, and the
 * parser bounds that.
 */
public sealed interface RuleNode permits RuleNode.Call, RuleNode.Not, RuleNode.And, RuleNode.Or {

    /** Character offset of the first character of this node in the rule. */
    int offset();

    /**
     * A matcher call such as {@code Host(`example.com`)}.
     *
     * @param name   the name exactly as written (Traefik accepts {@code Host}, {@code host},
     *               {@code HOST} and {@code Host}-style title case)
     * @param offset offset of the name's first character
     * @param args   the decoded string arguments
     */
    record Call(String name, int offset, List<Arg> args) implements RuleNode {
        public Call {
            args = List.copyOf(args);
        }
    }

    /**
     * One argument: its decoded value, where its literal starts, and the quote used.
     *
     * @param quote {@code '`'} for a raw string, {@code '"'} for an interpreted one
     */
    record Arg(String value, int offset, char quote) {
        /** The argument written back in rule syntax, for hints. */
        public String literal() {
            return "`" + value + "`";
        }
    }

    /** {@code !operand}. */
    record Not(RuleNode operand, int offset) implements RuleNode {}

    /** {@code a && b && ...}, two or more operands. */
    record And(List<RuleNode> operands) implements RuleNode {
        public And {
            operands = List.copyOf(operands);
        }

        @Override
        public int offset() {
            return operands.getFirst().offset();
        }
    }

    /** {@code a || b || ...}, two or more operands. */
    record Or(List<RuleNode> operands) implements RuleNode {
        public Or {
            operands = List.copyOf(operands);
        }

        @Override
        public int offset() {
            return operands.getFirst().offset();
        }
    }
}
