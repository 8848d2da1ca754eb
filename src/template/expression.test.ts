import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isExpressionString, literalOf, parseExpression, printExpression, type Expr } from "./expression.js";

const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);

/** Random expression trees: literals, calls (user-defined too), member, bracket and index access. */
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 8 }).map((value): Expr => ({ kind: "string", value })),
    fc.integer({ min: -1000, max: 100000 }).map((n): Expr => ({ kind: "number", value: n, text: String(n) })),
    fc
      .record({
        ns: fc.option(ident, { nil: undefined }),
        name: ident,
        args: fc.array(tie("expr"), { maxLength: 3 }),
      })
      .map(({ ns, name, args }): Expr => ({ kind: "call", name: ns ? `${ns}.${name}` : name, args })),
    fc
      .record({ target: tie("expr"), name: ident })
      .map(({ target, name }): Expr => ({ kind: "property", target, name })),
    fc
      .record({ target: tie("expr"), index: tie("expr") })
      .map(({ target, index }): Expr => ({ kind: "index", target, index })),
  ),
})).expr;

describe("expression parser and printer", () => {
  it("parse → print → parse is the identity (property)", () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const printed = printExpression(e);
        const again = parseExpression(`[${printed}]`);
        expect(again).toEqual(e);
        expect(printExpression(again)).toBe(printed);
      }),
      { numRuns: 500 },
    );
  });

  it("parses the forms real templates use", () => {
    const e = parseExpression(
      "[concat(variables('subnetId')[copyIndex()], reference(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2019-06-01', 'Full').properties['primaryEndpoints'].blob, -1)]",
    );
    expect(printExpression(e)).toBe(
      "concat(variables('subnetId')[copyIndex()], reference(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2019-06-01', 'Full').properties['primaryEndpoints'].blob, -1)",
    );
    expect(parseExpression("[contoso.uniqueName('x')]")).toEqual({
      kind: "call",
      name: "contoso.uniqueName",
      args: [{ kind: "string", value: "x" }],
    });
    expect(parseExpression("[concat('it''s', ' ok')]")).toEqual({
      kind: "call",
      name: "concat",
      args: [
        { kind: "string", value: "it's" },
        { kind: "string", value: " ok" },
      ],
    });
  });

  it("tells expressions from literals: '[[' escapes, a missing ']' is a literal", () => {
    expect(isExpressionString("[parameters('a')]")).toBe(true);
    expect(isExpressionString("[[parameters('a')]")).toBe(false);
    expect(literalOf("[[parameters('a')]")).toBe("[parameters('a')]");
    expect(isExpressionString("[not an expression")).toBe(false);
    expect(isExpressionString("plain")).toBe(false);
  });

  it("reports syntax errors as ARM's parser words them", () => {
    expect(() => parseExpression("[concat('a', 'b']")).toThrow(
      "Unable to parse language expression '[concat('a', 'b']': expected token 'RightParenthesis' and actual 'EndOfData'.",
    );
    expect(() => parseExpression("[concat('a)]")).toThrow("is not terminated");
    expect(() => parseExpression("[a b]")).toThrow(
      "expected token 'LeftParenthesis' and actual 'Identifier'",
    );
    expect(() => parseExpression("[foo]")).toThrow("expected token 'LeftParenthesis' and actual 'EndOfData'");
  });
});
