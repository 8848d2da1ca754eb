/**
 * `GET /_emulator/events`: the event stream as server-sent events (text/event-stream). Each
 * event is `id: N`, `event: <type>` (`resource`, `request`, `connectionOpened`,
 * `connectionClosed`, `connectionReset`) and `data: <JSON>`. A client that reconnects with
 * `Last-Event-ID` (or `?since=N`) first gets the buffered events after N; `?types=a,b` filters.
 * A comment line every `heartbeatMs` keeps proxies from closing an idle stream. Streams end
 * when the server closes. In strict mode a token caller sees only the events about resources it
 * may read (src/http/emulator-routes.ts); the admin key sees all.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Ctx } from "../arm/context.js";
import type { EmulatorEvent, EventBus, EventType } from "../arm/diagnostics/event-bus.js";
import { ArmErrors } from "../model/errors.js";
import type { AdminGate } from "./admin-auth.js";

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

export interface EventRouteOptions {
  heartbeatMs?: number;
  /** Strict mode: who may follow the stream (src/http/admin-auth.ts). */
  gate?: AdminGate;
  /** A token caller's view of an event (undefined: not shown); see emulator-routes.ts. */
  view?: (ctx: Ctx, e: EmulatorEvent) => Promise<EmulatorEvent | undefined>;
}

export function registerEventRoutes(app: FastifyInstance, bus: EventBus, opts: EventRouteOptions = {}): void {
  const open = new Set<FastifyReply>();
  const heartbeatMs = opts.heartbeatMs ?? 15_000;

  app.addHook("preClose", async () => {
    for (const reply of open) reply.raw.end();
    open.clear();
  });

  app.get<{ Querystring: { types?: string; since?: string } }>("/_emulator/events", async (req, reply) => {
    const access = opts.gate ? await opts.gate.access(req) : undefined;
    const types = parseTypes(req.query.types);
    const lastHeader = req.headers["last-event-id"];
    const since = parseSince(req.query.since ?? (typeof lastHeader === "string" ? lastHeader : undefined));
    // A token caller's events pass its view one at a time, in order; its token is checked again
    // before each one, so a revoked token ends the stream at the next event.
    const filtered = access?.kind === "token" && opts.gate !== undefined && opts.view !== undefined;
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
    let chain: Promise<void> = Promise.resolve();
    let ended = false;
    const send = (e: EmulatorEvent) => {
      if (!wanted(e)) return;
      if (!filtered) {
        res.write(formatSse(e));
        return;
      }
      chain = chain.then(async () => {
        if (ended) return;
        try {
          const now = await opts.gate!.recheck(req);
          const shown = await opts.view!(opts.gate!.ctx(req, now), e);
          if (shown && !ended) res.write(formatSse(shown));
        } catch {
          ended = true;
          res.end();
        }
      });
    };
    res.write(`: lazurite events (last id ${bus.lastId})\n\n`);
    if (since !== undefined) for (const e of bus.since(since)) send(e);
    const unsubscribe = bus.subscribe(send);
    const beat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
    beat.unref();
    open.add(reply);
    const done = () => {
      ended = true;
      clearInterval(beat);
      unsubscribe();
      open.delete(reply);
    };
    req.raw.on("close", done);
    res.on("close", done);
  });
}
