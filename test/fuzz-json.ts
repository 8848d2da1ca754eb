/** JSON surgery for the fuzz tests (test/http/fuzz.test.ts, test/property/engine-fuzz.test.ts). */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path (keys and indices) inside a JSON value. */
export function paths(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push([...at, i], ...paths(x, [...at, i])));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) out.push([...at, k], ...paths(x, [...at, k]));
  return out;
}

/** `v` with the value at `path` replaced by `value`, or deleted when `value` is undefined (copies, never mutates). */
export function mutate(v: Json, path: Array<string | number>, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = [...v];
    if (rest.length === 0 && value === undefined) copy.splice(head as number, 1);
    else copy[head as number] = mutate(copy[head as number]!, rest, value);
    return copy;
  }
  if (v !== null && typeof v === "object") {
    const copy = { ...v };
    if (rest.length === 0 && value === undefined) delete copy[head as string];
    else copy[head as string] = mutate(copy[head as string] ?? null, rest, value);
    return copy;
  }
  return v;
}
