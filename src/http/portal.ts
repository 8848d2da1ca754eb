/**
 * The web portal's static files (web/, built by Vite into dist/web): `GET /` answers the page,
 * `GET /assets/{file}` its scripts, styles and images. Nothing else is served here, so ARM
 * paths (`/subscriptions/…`, `/providers`, `/tenants`) and `/_emulator/…` are unaffected. The
 * portal itself talks to those like any client (docs/portal.md).
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";

/** Where `npm run build` puts the portal: dist/web, two levels above this file in src/ and dist/ alike. */
export const DEFAULT_PORTAL_DIR = resolve(import.meta.dirname, "..", "..", "dist", "web");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

/** A file name the portal may ask for: one path segment of safe characters (no `..`, no `/`). */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** What the page needs to know before its first call: whether to sign in first, and in which tenant. */
export interface PortalOptions {
  authMode?: "open" | "strict";
  /** The tenant a sign-in form starts with (the server's default tenant). */
  tenantId?: string;
}

const attr = (v: string) => v.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page with the server's auth mode in a meta tag (the portal reads it before calling anything). */
export function portalPage(html: string, opts: PortalOptions): string {
  const meta =
    `<meta name="lazurite-auth" content="${attr(opts.authMode ?? "open")}"` +
    (opts.tenantId ? ` data-tenant="${attr(opts.tenantId)}"` : "") +
    " />";
  return html.includes("</head>") ? html.replace("</head>", `${meta}</head>`) : meta + html;
}

export function registerPortalRoutes(
  app: FastifyInstance,
  dir: string = DEFAULT_PORTAL_DIR,
  opts: PortalOptions = {},
): void {
  const send = (file: string, reply: import("fastify").FastifyReply) =>
    reply.type(TYPES[extname(file)] ?? "application/octet-stream").send(readFileSync(file));

  app.get("/", async (_req, reply) => {
    const index = join(dir, "index.html");
    if (!existsSync(index))
      return reply
        .status(404)
        .type("text/plain; charset=utf-8")
        .send("The portal is not built: run `npm run build` (it builds dist/web).\n");
    return reply.type(TYPES[".html"]!).send(portalPage(readFileSync(index, "utf8"), opts));
  });
  app.get<{ Params: { file: string } }>("/assets/:file", async (req, reply) => {
    const name = req.params.file;
    const file = join(dir, "assets", name);
    if (!SAFE_NAME.test(name) || !existsSync(file)) return reply.callNotFound();
    return send(file, reply);
  });
}
