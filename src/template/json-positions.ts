/**
 * A JSON parser that remembers where each object and array starts (line and column, 1-based,
 * the column of its opening bracket as ARM's JSON reader reports it), so that template errors
 * can name the line and position where ARM does.
 */
import { ExprError } from "./value.js";

export interface Position {
  line: number;
  column: number;
}

export interface PositionedJson {
  value: unknown;
  positions: WeakMap<object, Position>;
}

export function parseJsonWithPositions(text: string): PositionedJson {
  const positions = new WeakMap<object, Position>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (msg: string): never => {
    throw new ExprError(`${msg} Path '', line ${line}, position ${i - lineStart}.`);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        i++;
        lineStart = i;
      } else if (c === 32 || c === 9 || c === 13) i++;
      else if (c === 47 && text[i + 1] === "/") {
        while (i < text.length && text[i] !== "\n") i++;
      } else if (c === 47 && text[i + 1] === "*") {
        const end = text.indexOf("*/", i + 2);
        const stop = end < 0 ? text.length : end + 2;
        for (; i < stop; i++)
          if (text[i] === "\n") {
            line++;
            lineStart = i + 1;
          }
      } else return;
    }
  };
  const here = (): Position => ({ line, column: i - lineStart + 1 });
  const parseString = (): string => {
    const start = i;
    i++;
    let out = "";
    let seg = i;
    for (;;) {
      if (i >= text.length) fail("Unterminated string.");
      const c = text[i]!;
      if (c === '"') break;
      if (c === "\\") {
        out += text.slice(seg, i);
        const e = text[i + 1];
        const map: Record<string, string> = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
        };
        if (e === "u") {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          i += 2;
        } else fail("Bad escape.");
        seg = i;
        continue;
      }
      if (c === "\n") fail("Unterminated string.");
      i++;
    }
    out += text.slice(seg, i);
    i++;
    void start;
    return out;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      const pos = here();
      i++;
      const o: Record<string, unknown> = {};
      positions.set(o, pos);
      ws();
      if (text[i] === "}") {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Invalid property identifier character.");
        const k = parseString();
        ws();
        if (text[i] !== ":") fail("Expected ':'.");
        i++;
        o[k] = value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "}") {
            i++;
            return o;
          }
          continue;
        }
        if (text[i] === "}") {
          i++;
          return o;
        }
        fail("Expected ',' or '}'.");
      }
    }
    if (c === "[") {
      const pos = here();
      i++;
      const a: unknown[] = [];
      positions.set(a, pos);
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") {
            i++;
            return a;
          }
          continue;
        }
        if (text[i] === "]") {
          i++;
          return a;
        }
        fail("Expected ',' or ']'.");
      }
    }
    if (c === '"') return parseString();
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return fail(`Unexpected character encountered while parsing value: ${c ?? "end of input"}.`);
    i += m[0].length;
    return JSON.parse(m[0]) as unknown;
  };
  const v = value();
  ws();
  if (i < text.length) fail("Additional text encountered after finished reading JSON content.");
  return { value: v, positions };
}
