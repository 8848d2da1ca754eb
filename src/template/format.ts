/**
 * .NET composite formatting for `format()`: `{index[,alignment][:formatString]}` items,
 * `{{` and `}}` escapes, and the numeric format strings ARM passes through to .NET
 * (`D`, `N`, `F`, `X`, `P`, `E`, `G`, `C` with precision, and custom `0`/`#` patterns),
 * formatted with the invariant culture.
 */
import { ExprError, stringOf } from "./value.js";

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatNumber(v: number, spec: string): string {
  const m = /^([A-Za-z])(\d*)$/.exec(spec);
  if (m) {
    const t = m[1]!;
    const p = m[2] === "" ? undefined : Number(m[2]);
    const neg = v < 0;
    const a = Math.abs(v);
    switch (t.toUpperCase()) {
      case "D": {
        if (!Number.isInteger(v))
          throw new ExprError(`Format specifier '${spec}' is only valid for integers.`);
        return (neg ? "-" : "") + String(a).padStart(p ?? 0, "0");
      }
      case "N": {
        const s = a.toFixed(p ?? 2);
        const [i, f] = s.split(".");
        return (neg ? "-" : "") + group(i!) + (f ? "." + f : "");
      }
      case "F":
        return (neg ? "-" : "") + a.toFixed(p ?? 2);
      case "X": {
        const s = (v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v)).toString(16).padStart(p ?? 0, "0");
        return t === "X" ? s.toUpperCase() : s;
      }
      case "P": {
        const s = (a * 100).toFixed(p ?? 2);
        const [i, f] = s.split(".");
        return (neg ? "-" : "") + group(i!) + (f ? "." + f : "") + " %";
      }
      case "C": {
        const s = a.toFixed(p ?? 2);
        const [i, f] = s.split(".");
        return (neg ? "-" : "") + "¤" + group(i!) + (f ? "." + f : "");
      }
      case "E": {
        const s = a.toExponential(p ?? 6);
        const [mant, exp] = s.split("e");
        const e = Number(exp);
        const out = `${mant}${t === "E" ? "E" : "e"}${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(3, "0")}`;
        return (neg ? "-" : "") + out;
      }
      case "G":
        return p ? String(Number(v.toPrecision(p))) : String(v);
      case "R":
        return String(v);
    }
  }
  // Custom numeric format: 0 and # placeholders, one '.', ',' grouping.
  if (/^[0#,.]+$/.test(spec)) {
    const [ip, fp = ""] = spec.split(".");
    const grouping = ip!.includes(",");
    const minInt = (ip!.replace(/[^0]/g, "") || "").length;
    const minFrac = fp.replace(/[^0]/g, "").length;
    const maxFrac = fp.replace(/,/g, "").length;
    const a = Math.abs(v);
    let s = a.toFixed(maxFrac);
    let [i, f = ""] = s.split(".");
    while (f.length > minFrac && f.endsWith("0")) f = f.slice(0, -1);
    i = i === "0" && minInt === 0 ? "" : i!.padStart(minInt, "0");
    if (grouping) i = group(i);
    s = i + (f ? "." + f : "");
    return (v < 0 ? "-" : "") + (s === "" ? "0" : s);
  }
  return spec;
}

function formatItem(v: unknown, spec: string | undefined): string {
  if (spec !== undefined && typeof v === "number") return formatNumber(v, spec);
  return stringOf(v);
}

/** `format(formatString, args...)` as .NET's String.Format. */
export function composite(fmt: string, args: unknown[]): string {
  let out = "";
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === "{") {
      if (fmt[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      const end = fmt.indexOf("}", i);
      if (end < 0) throw new ExprError(`Input string '${fmt}' was not in a correct format.`);
      const item = fmt.slice(i + 1, end);
      const m = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(item);
      if (!m) throw new ExprError(`Input string '${fmt}' was not in a correct format.`);
      const idx = Number(m[1]);
      if (idx >= args.length)
        throw new ExprError(
          `Index (zero based) must be greater than or equal to zero and less than the size of the argument list.`,
        );
      let s = formatItem(args[idx], m[3]);
      if (m[2] !== undefined) {
        const w = Number(m[2]);
        s = w < 0 ? s.padEnd(-w) : s.padStart(w);
      }
      out += s;
      i = end + 1;
      continue;
    }
    if (c === "}") {
      if (fmt[i + 1] === "}") {
        out += "}";
        i += 2;
        continue;
      }
      throw new ExprError(`Input string '${fmt}' was not in a correct format.`);
    }
    out += c;
    i++;
  }
  return out;
}
