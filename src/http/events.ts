/**
 * `GET /_emulator/events`: the event stream as server-sent events (text/event-stream). Each
 * event is `id: N`, `event: <type>` (`resource`, `request`, `connectionOpened`,
 * `connectionClosed`, `connectionReset`) and `data: <JSON>`. A client that reconnects with
 * `Last-Event-ID` (or `?since=N`) first gets the buffered events after N; `?types=a,b` filters.
 * A comment line every `heartbeatMs` keeps proxies from closing an idle stream. Streams end
 * when the server closes.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { EmulatorEvent, EventBus, EventType } from "../arm/diagnostics/event-bus.js";
import { ArmErrors } from "../model/errors.js";

const TYPES: readonly EventType[] = [
  "resource",
  "request",
  "connectionOpened",
  "connectionClosed",
  "connectionReset",
];

export function formatSse(e: EmulatorEvent): string {
  const data = JSON.stringify({ id: e.id, type: e.type, time: e.time, ...e.data });
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${data}\n\n`;
}

function parseTypes(text: string | undefined): Set<EventType> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const out = new Set<EventType>();
  for (const t of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const known = TYPES.find((k) => k.toLowerCase() === t.toLowerCase());
    if (!known)
      throw ArmErrors.invalidParameter(
        `Unknown event type '${t}'; expected some of ${TYPES.join(", ")}.`,
        "types",
      );
    out.add(known);
  }
  return out;
}

function parseSince(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  if (!/^\d+$/.test(text.trim())) throw ArmErrors.invalidParameter(`'${text}' is not an event id.`, "since");
  return Number(text.trim());
}

export function registerEventRoutes(
  app: FastifyInstance,
  bus: EventBus,
  opts: { heartbeatMs?: number } = {},
): void {
  const open = new Set<FastifyReply>();
  const heartbeatMs = opts.heartbeatMs ?? 15_000;

  app.addHook("preClose", async () => {
    for (const reply of open) reply.raw.end();
    open.clear();
  });

  app.get<{ Querystring: { types?: string; since?: string } }>("/_emulator/events", async (req, reply) => {
    const types = parseTypes(req.query.types);
    const lastHeader = req.headers["last-event-id"];
    const since = parseSince(req.query.since ?? (typeof lastHeader === "string" ? lastHeader : undefined));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-ms-request-id": String(req.id),
    });
    const wanted = (e: EmulatorEvent) => !types || types.has(e.type);
    res.write(`: lazurite events (last id ${bus.lastId})\n\n`);
    if (since !== undefined) for (const e of bus.since(since)) if (wanted(e)) res.write(formatSse(e));
    const unsubscribe = bus.subscribe((e) => {
      if (wanted(e)) res.write(formatSse(e));
    });
    const beat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
    beat.unref();
    open.add(reply);
    const done = () => {
      clearInterval(beat);
      unsubscribe();
      open.delete(reply);
    };
    req.raw.on("close", done);
    res.on("close", done);
  });
}
