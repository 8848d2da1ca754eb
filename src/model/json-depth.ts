/**
 * Nesting depth of JSON, measured and bounded without recursion: a body nested 10^6 levels
 * must be refused (or a stored one cut back) before anything recursive — JSON.stringify,
 * structuredClone, a deep compare — walks it and overflows the stack.
 *
 * Depth counts containers: `1` and `"x"` are depth 0, `{}` and `[]` depth 1, `{"a":[1]}` depth 2.
 */

/** Nesting limit of a request body at the HTTP edge (docs/fidelity.md "Limits"); no real client nests deeper. */
export const MAX_REQUEST_DEPTH = 128;

/**
 * Limit for documents read back from the store: above the request limit (a stored parent holds
 * its children a few levels down), below where the recursive code paths overflow. Deeper
 * subtrees of a document written before the request limit existed are cut when read.
 */
export const MAX_STORED_DEPTH = 256;

/**
 * The nesting depth of JSON text, scanning characters (strings and their escapes skipped).
 * Stops early and returns `stopAbove + 1` once the depth exceeds `stopAbove`.
 */
export function jsonTextDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return stopAbove + 1;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/**
 * The value with every container deeper than `limit` replaced by `null` (iterative; the
 * value itself is changed in place and returned). Values within the limit come back as they were.
 */
export function pruneDeep(value: unknown, limit: number): unknown {
  if (value === null || typeof value !== "object") return value;
  const stack: Array<[Record<string, unknown> | unknown[], number]> = [[value as Record<string, unknown>, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    const keys = Array.isArray(node) ? node.keys() : Object.keys(node);
    for (const k of keys) {
      const child = (node as Record<string | number, unknown>)[k];
      if (child === null || typeof child !== "object") continue;
      if (depth + 1 > limit) (node as Record<string | number, unknown>)[k] = null;
      else stack.push([child as Record<string, unknown>, depth + 1]);
    }
  }
  return value;
}

/**
 * Parses stored JSON text; a document nested deeper than MAX_STORED_DEPTH comes back with its
 * too-deep subtrees replaced by `null`, so that no read, list or write into it can fail on it.
 */
export function parseStoredJson(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  return jsonTextDepth(text, MAX_STORED_DEPTH) > MAX_STORED_DEPTH
    ? pruneDeep(value, MAX_STORED_DEPTH)
    : value;
}
