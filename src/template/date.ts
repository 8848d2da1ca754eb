/**
 * Dates for utcNow(), dateTimeAdd(), dateTimeFromEpoch() and dateTimeToEpoch(): ISO 8601
 * parsing, ISO 8601 durations, and .NET date format strings (standard `u`, `s`, `o`, `d`,
 * `D`, `t`, `T`, `g`, `G`, `r` and custom `yyyy-MM-ddTHH:mm:ssZ` patterns), all in UTC and
 * computed with integer calendar arithmetic (no clock is read).
 */
import { ExprError } from "./value.js";

export interface Civil {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of a second in 100 ns ticks (0..9_999_999). */
  ticks: number;
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { year: y + (m <= 2 ? 1 : 0), month: m, day: d };
}

function daysInMonth(y: number, m: number): number {
  return [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ][m - 1]!;
}

/** Seconds since the Unix epoch (with the sub-second ticks kept apart). */
export function toEpochSeconds(c: Civil): number {
  return daysFromCivil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

export function fromEpochSeconds(s: number, ticks = 0): Civil {
  const days = Math.floor(s / 86400);
  let rem = s - days * 86400;
  const { year, month, day } = civilFromDays(days);
  const hour = Math.floor(rem / 3600);
  rem -= hour * 3600;
  const minute = Math.floor(rem / 60);
  return { year, month, day, hour, minute, second: rem - minute * 60, ticks };
}

export interface ParsedDate {
  civil: Civil;
  /** The shape of the text, to print a result the same way: separator, fraction digits, zone suffix. */
  shape: { sep: string; fraction: number; zone: string; dateOnly: boolean };
}

/** Parses an ISO 8601 date-time (`2020-04-07T14:53:14Z`, `2020-04-07 14:53:14.123+02:00`, `2020-04-07`). */
export function parseDateTime(text: string, fn: string): ParsedDate {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (!m)
    throw new ExprError(
      `The template language function '${fn}' expects a valid date-time string. The provided value '${text}' is not valid.`,
    );
  const frac = m[8] ?? "";
  const civil: Civil = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[5] ?? 0),
    minute: Number(m[6] ?? 0),
    second: Number(m[7] ?? 0),
    ticks: frac ? Number(frac.padEnd(7, "0")) : 0,
  };
  if (
    civil.month < 1 ||
    civil.month > 12 ||
    civil.day < 1 ||
    civil.day > daysInMonth(civil.year, civil.month)
  )
    throw new ExprError(
      `The template language function '${fn}' expects a valid date-time string. The provided value '${text}' is not valid.`,
    );
  const zone = m[9] ?? "";
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
    const offset = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
    const s = toEpochSeconds(civil) - offset * 60;
    Object.assign(civil, fromEpochSeconds(s, civil.ticks));
  }
  return {
    civil,
    shape: { sep: m[4] ?? "T", fraction: frac.length, zone: zone ? "Z" : "", dateOnly: m[4] === undefined },
  };
}

/** Adds an ISO 8601 duration (`P1Y2M3DT4H5M6S`, `-P1D`, `PT1.5S`, `P2W`). */
export function addDuration(c: Civil, duration: string): Civil {
  const m =
    /^([+-])?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      duration.trim(),
    );
  if (!m || duration.trim().toUpperCase().endsWith("T") || /^[+-]?P$/i.test(duration.trim()))
    throw new ExprError(
      `The template language function 'dateTimeAdd' expects a valid ISO 8601 duration. The provided value '${duration}' is not valid.`,
    );
  const sign = m[1] === "-" ? -1 : 1;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  // ARM does not follow the calendar: P1Y is 365 days and P1M is 30 days (documented).
  const days = n(2) * 365 + n(3) * 30 + n(4) * 7 + n(5);
  const seconds = days * 86400 + n(6) * 3600 + n(7) * 60 + n(8);
  const totalTicks = toEpochSeconds(c) * 1e7 + c.ticks + sign * Math.round(seconds * 1e7);
  const secs = Math.floor(totalTicks / 1e7);
  return fromEpochSeconds(secs, totalTicks - secs * 1e7);
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function weekday(c: Civil): number {
  const d = daysFromCivil(c.year, c.month, c.day);
  return (((d + 4) % 7) + 7) % 7;
}

/** Standard date formats of .NET's invariant culture (ARM formats with it). */
const STANDARD: Record<string, string> = {
  d: "MM/dd/yyyy",
  D: "dddd, dd MMMM yyyy",
  t: "HH:mm",
  T: "HH:mm:ss",
  f: "dddd, dd MMMM yyyy HH:mm",
  F: "dddd, dd MMMM yyyy HH:mm:ss",
  g: "MM/dd/yyyy HH:mm",
  G: "MM/dd/yyyy HH:mm:ss",
  M: "MMMM dd",
  m: "MMMM dd",
  o: "yyyy-MM-ddTHH:mm:ss.fffffffK",
  O: "yyyy-MM-ddTHH:mm:ss.fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy-MM-ddTHH:mm:ss",
  u: "yyyy-MM-dd HH:mm:ssZ",
  U: "dddd, dd MMMM yyyy HH:mm:ss",
  y: "yyyy MMMM",
  Y: "yyyy MMMM",
};

/** Formats a UTC date with a .NET standard or custom date format string. */
export function formatDate(c: Civil, format: string): string {
  const f = format.length === 1 ? (STANDARD[format] ?? format) : format;
  let out = "";
  let i = 0;
  const pad = (v: number, n: number) => String(v).padStart(n, "0");
  while (i < f.length) {
    const ch = f[i]!;
    if (ch === "'" || ch === '"') {
      const end = f.indexOf(ch, i + 1);
      out += f.slice(i + 1, end < 0 ? f.length : end);
      i = end < 0 ? f.length : end + 1;
      continue;
    }
    if (ch === "\\") {
      out += f[i + 1] ?? "";
      i += 2;
      continue;
    }
    let n = 1;
    while (f[i + n] === ch) n++;
    switch (ch) {
      case "y":
        out += n === 2 ? pad(c.year % 100, 2) : n === 1 ? String(c.year % 100) : pad(c.year, n);
        break;
      case "M":
        out +=
          n >= 4
            ? MONTH_NAMES[c.month - 1]!
            : n === 3
              ? MONTH_NAMES[c.month - 1]!.slice(0, 3)
              : pad(c.month, n);
        break;
      case "d":
        out += n >= 4 ? DAY_NAMES[weekday(c)]! : n === 3 ? DAY_NAMES[weekday(c)]!.slice(0, 3) : pad(c.day, n);
        break;
      case "H":
        out += pad(c.hour, Math.min(n, 2));
        break;
      case "h":
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, Math.min(n, 2));
        break;
      case "m":
        out += pad(c.minute, Math.min(n, 2));
        break;
      case "s":
        out += pad(c.second, Math.min(n, 2));
        break;
      case "f":
      case "F": {
        let frac = pad(c.ticks, 7).slice(0, Math.min(n, 7));
        if (ch === "F") frac = frac.replace(/0+$/, "");
        out += frac;
        break;
      }
      case "t":
        out += (c.hour < 12 ? "AM" : "PM").slice(0, n === 1 ? 1 : 2);
        break;
      case "K":
        out += "Z";
        break;
      case "z":
        out += n === 1 ? "+0" : n === 2 ? "+00" : "+00:00";
        break;
      default:
        out += ch.repeat(n);
    }
    i += n;
  }
  return out;
}

/** The ISO 8601 form ARM prints a computed date in: `2023-04-07T14:53:14Z` (fractions kept). */
export function formatIso(c: Civil): string {
  return formatDate(c, "yyyy-MM-ddTHH:mm:ss") + (c.ticks ? "." + formatDate(c, "FFFFFFF") : "") + "Z";
}
