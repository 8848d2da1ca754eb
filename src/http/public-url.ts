/**
 * The base URL of every absolute URL the server hands out (LRO status URLs, `nextLink`,
 * discovery documents, token issuers, `/metadata/endpoints`). Azure builds them from its own
 * host name, never from the request: a forged `Host` header must not steer a client elsewhere.
 *
 * - `--public-url` (LAZURITE_PUBLIC_URL) given: always that URL (the server behind a proxy).
 * - Otherwise the client's `Host` is used only when it names this machine's loopback
 *   (`localhost`, `127.0.0.1`, `[::1]`) on the port the server listens on, so that a client
 *   keeps the spelling it connected with; any other `Host` gets `https://localhost:{port}`.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The base URL for one request. `listenPort` is the port the server listens on (undefined when
 * it does not listen, e.g. in-process injection: then any loopback port is taken as given).
 */
export function baseUrlFor(
  hostHeader: string | undefined,
  opts: { publicUrl?: string | undefined; listenPort?: number | undefined },
): string {
  if (opts.publicUrl !== undefined) return opts.publicUrl;
  const fallback = `https://localhost${opts.listenPort !== undefined ? `:${opts.listenPort}` : ""}`;
  if (typeof hostHeader !== "string" || hostHeader.length === 0 || hostHeader.length > 300) return fallback;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hostHeader);
  if (!m) return fallback;
  const hostname = m[1]!.toLowerCase();
  if (!LOOPBACK.has(hostname)) return fallback;
  const port = m[2] !== undefined ? Number(m[2]) : 443;
  if (opts.listenPort !== undefined && port !== opts.listenPort) return fallback;
  return `https://${hostname}${m[2] !== undefined ? `:${m[2]}` : ""}`;
}
