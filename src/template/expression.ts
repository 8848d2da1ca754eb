/**
 * ARM template expression language: tokenizer, parser and printer.
 *
 * A JSON string is an expression when it starts with `[` and ends with `]`; a leading `[[`
 * escapes the bracket (the string is a literal with one `[` removed). Inside the brackets:
 * string literals in single quotes (`''` for a quote), integers (`-1`, `42`) and decimals,
 * function calls (case-insensitive names, user-defined ones as `namespace.member(...)`),
 * member access `.name` and `['name']`, and index access `[expr]`. Booleans and null come
 * from functions (`true()`, `false()`, `null()`); lambdas are calls to `lambda('x', body)`.
 *
 * `printExpression(parseExpression(s))` gives back an equivalent text, and parsing it again
 * gives the same tree (checked by a property test).
 */
import { ExprError } from "./value.js";

export type Expr =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number; text: string }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "property"; target: Expr; name: string }
  | { kind: "index"; target: Expr; index: Expr };

type TokenKind =
  | "Identifier"
  | "String"
  | "Integer"
  | "LeftParenthesis"
  | "RightParenthesis"
  | "LeftSquareBracket"
  | "RightSquareBracket"
  | "Comma"
  | "Dot"
  | "EndOfData";

interface Token {
  kind: TokenKind;
  text: string;
  value?: string;
  pos: number;
}

function parseError(source: string, message: string): ExprError {
  return new ExprError(`Unable to parse language expression '${source}': ${message}`);
}

function tokenize(src: string, source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= src.length)
          throw parseError(source, `the string literal at position '${start}' is not terminated.`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i];
        i++;
      }
      out.push({ kind: "String", text: src.slice(start, i), value: v, pos: start });
      continue;
    }
    if (/[0-9]/.test(c) || ((c === "-" || c === "+") && /[0-9]/.test(src[i + 1] ?? ""))) {
      i++;
      while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      if (src[i] === "." && /[0-9]/.test(src[i + 1] ?? "")) {
        i++;
        while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      }
      out.push({ kind: "Integer", text: src.slice(start, i), pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      i++;
      while (i < src.length && /[A-Za-z0-9_$]/.test(src[i]!)) i++;
      out.push({ kind: "Identifier", text: src.slice(start, i), pos: start });
      continue;
    }
    const single: Record<string, TokenKind> = {
      "(": "LeftParenthesis",
      ")": "RightParenthesis",
      "[": "LeftSquareBracket",
      "]": "RightSquareBracket",
      ",": "Comma",
      ".": "Dot",
    };
    const k = single[c];
    if (!k) throw parseError(source, `the character '${c}' at position '${i}' is not expected.`);
    out.push({ kind: k, text: c, pos: i });
    i++;
  }
  out.push({ kind: "EndOfData", text: "", pos: src.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly source: string,
  ) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }

  private expect(kind: TokenKind): Token {
    const t = this.peek();
    if (t.kind !== kind) throw parseError(this.source, `expected token '${kind}' and actual '${t.kind}'.`);
    this.i++;
    return t;
  }

  parseTop(): Expr {
    const e = this.parseExpr();
    const t = this.peek();
    if (t.kind !== "EndOfData")
      throw parseError(this.source, `expected token 'EndOfData' and actual '${t.kind}'.`);
    return e;
  }

  parseExpr(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind === "Dot") {
        this.i++;
        const id = this.expect("Identifier");
        e = { kind: "property", target: e, name: id.text };
      } else if (t.kind === "LeftSquareBracket") {
        this.i++;
        const index = this.parseExpr();
        this.expect("RightSquareBracket");
        e = { kind: "index", target: e, index };
      } else return e;
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === "String") {
      this.i++;
      return { kind: "string", value: t.value! };
    }
    if (t.kind === "Integer") {
      this.i++;
      return { kind: "number", value: Number(t.text), text: t.text };
    }
    if (t.kind === "Identifier") {
      this.i++;
      let name = t.text;
      // A user-defined function: namespace.member(...)
      if (
        this.peek().kind === "Dot" &&
        this.peek(1).kind === "Identifier" &&
        this.peek(2).kind === "LeftParenthesis"
      ) {
        name += "." + this.peek(1).text;
        this.i += 2;
      }
      this.expect("LeftParenthesis");
      const args: Expr[] = [];
      if (this.peek().kind !== "RightParenthesis") {
        for (;;) {
          args.push(this.parseExpr());
          if (this.peek().kind === "Comma") {
            this.i++;
            continue;
          }
          break;
        }
      }
      this.expect("RightParenthesis");
      return { kind: "call", name, args };
    }
    throw parseError(this.source, `expected token 'Identifier' and actual '${t.kind}'.`);
  }
}

/** Parses the inside of an expression (without the surrounding brackets), e.g. `concat('a', 'b')`. */
export function parseExpressionBody(body: string, source = `[${body}]`): Expr {
  return new Parser(tokenize(body, source), source).parseTop();
}

/** True when a JSON string is a template expression (`[...]`, not `[[...`). */
export function isExpressionString(s: string): boolean {
  return s.length >= 2 && s.startsWith("[") && s.endsWith("]") && !s.startsWith("[[");
}

/** The literal a non-expression string stands for (`[[x]` → `[x]`). */
export function literalOf(s: string): string {
  return s.startsWith("[[") ? s.slice(1) : s;
}

/**
 * Parses an expression. Accepts the bracketed JSON form (`[concat('a', 'b')]`) or the bare
 * body (`concat('a', 'b')`).
 */
export function parseExpression(text: string): Expr {
  if (isExpressionString(text)) return parseExpressionBody(text.slice(1, -1), text);
  return parseExpressionBody(text, text);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Prints an expression body (no surrounding brackets); parse(print(e)) equals e. */
export function printExpression(e: Expr): string {
  switch (e.kind) {
    case "string":
      return quote(e.value);
    case "number":
      return e.text;
    case "call":
      return `${e.name}(${e.args.map(printExpression).join(", ")})`;
    case "property":
      return `${printExpression(e.target)}.${e.name}`;
    case "index":
      return `${printExpression(e.target)}[${printExpression(e.index)}]`;
  }
}

/** Every call in an expression tree, depth first. */
export function* callsOf(e: Expr): Generator<Extract<Expr, { kind: "call" }>> {
  switch (e.kind) {
    case "call":
      yield e;
      for (const a of e.args) yield* callsOf(a);
      return;
    case "property":
      yield* callsOf(e.target);
      return;
    case "index":
      yield* callsOf(e.target);
      yield* callsOf(e.index);
      return;
    default:
      return;
  }
}
