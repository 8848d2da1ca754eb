/**
 * The portal's only way to the server: the public ARM API and `/_emulator`, with a bearer
 * token like any client (any token in open mode; a signed one from the token endpoint in
 * strict mode). Errors come back in ARM's envelope and are thrown as ApiError.
 */

export const NETWORK_API = "2023-09-01";
export const STORAGE_API = "2023-01-01";
export const KEYVAULT_API = "2023-07-01";

const TOKEN_KEY = "lazurite.token";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server's auth mode and default tenant, from the meta tag it serves the page with. */
export function serverAuth(): { mode: "open" | "strict"; tenantId: string } {
  const meta = document.querySelector('meta[name="lazurite-auth"]');
  return {
    mode: meta?.getAttribute("content") === "strict" ? "strict" : "open",
    tenantId: meta?.getAttribute("data-tenant") ?? "",
  };
}

/** The bearer token: the signed-in principal's, or any token in open mode. */
export function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "portal";
}

export function signedIn(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

/** The signed-in principal's name and tenant, read from its token's claims (display only). */
export function whoAmI(): string | undefined {
  const t = sessionStorage.getItem(TOKEN_KEY);
  const payload = t?.split(".")[1];
  if (!payload) return undefined;
  try {
    const c = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    return String(c.app_displayname ?? c.name ?? c.appid ?? c.oid ?? "");
  } catch {
    return undefined;
  }
}

export function setToken(t: string | undefined): void {
  if (t === undefined) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, t);
}

/** Listeners told when a call is refused for want of credentials (strict mode). */
const unauthorized = new Set<() => void>();
export function onUnauthorized(f: () => void): () => void {
  unauthorized.add(f);
  return () => unauthorized.delete(f);
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token()}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { error: { code: "NotJson", message: text.slice(0, 200) } };
  }
  if (res.status === 401) for (const f of unauthorized) f();
  if (res.status >= 400) {
    const e = json?.error ?? {};
    throw new ApiError(res.status, String(e.code ?? res.status), String(e.message ?? res.statusText));
  }
  return { status: res.status, headers: res.headers, body: json };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An ARM call that may be long-running: follows Azure-AsyncOperation / Location until it settles. */
export async function arm(method: string, path: string, body?: unknown): Promise<any> {
  const first = await call(method, path, body);
  let answer = first;
  const op = first.headers.get("azure-asyncoperation");
  const loc = first.headers.get("location");
  if (first.status === 202 && loc) {
    for (let i = 0; i < 100; i++) {
      await sleep(Number(answer.headers.get("retry-after") ?? "1") > 0 ? 150 : 50);
      answer = await call("GET", new URL(loc).pathname + new URL(loc).search);
      if (answer.status !== 202) return answer.body;
    }
  } else if (op && (first.status === 201 || first.status === 200 || first.status === 202)) {
    for (let i = 0; i < 100; i++) {
      const s = await call("GET", new URL(op).pathname + new URL(op).search);
      const state = String(s.body?.status ?? "Succeeded");
      if (state === "Failed" || state === "Canceled")
        throw new ApiError(500, s.body?.error?.code ?? state, s.body?.error?.message ?? state);
      if (state === "Succeeded") break;
      await sleep(150);
    }
    if (method === "PUT" || method === "PATCH") return (await call("GET", path)).body;
  }
  return answer.body;
}

export function withApi(id: string, apiVersion: string): string {
  return `${id}${id.includes("?") ? "&" : "?"}api-version=${apiVersion}`;
}

/** The API version to write a resource with, by its provider. */
export function apiVersionOf(id: string): string {
  const ns = /\/providers\/([^/]+)\//i.exec(id)?.[1]?.toLowerCase();
  if (ns === "microsoft.storage") return STORAGE_API;
  if (ns === "microsoft.keyvault") return KEYVAULT_API;
  if (ns === "microsoft.compute") return "2023-09-01";
  return NETWORK_API;
}

/** Signs in with a service principal's credentials at the server's own token endpoint. */
export async function signIn(tenantId: string, clientId: string, clientSecret: string): Promise<void> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
    scope: `${location.origin}/.default`,
  });
  const res = await fetch(`/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof json.access_token !== "string")
    throw new ApiError(
      res.status,
      String(json.error ?? res.status),
      String(json.error_description ?? "sign-in failed"),
    );
  setToken(json.access_token);
}

export interface ServerEvent {
  id: number;
  type: string;
  [k: string]: unknown;
}

/**
 * Follows `/_emulator/events` (server-sent events) with fetch, so the bearer token goes in a
 * header as on every other call; reconnects with `Last-Event-ID` when the stream drops.
 */
export function followEvents(
  onEvent: (e: ServerEvent) => void,
  onState?: (live: boolean) => void,
): () => void {
  let stopped = false;
  let last: string | undefined;
  let ctrl: AbortController | undefined;
  const run = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch("/_emulator/events", {
          headers: { authorization: `Bearer ${token()}`, ...(last ? { "last-event-id": last } : {}) },
          signal: ctrl.signal,
        });
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        onState?.(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut: number;
          while ((cut = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const data = block
              .split("\n")
              .filter((l) => l.startsWith("data: "))
              .map((l) => l.slice(6))
              .join("\n");
            const id = /^id: (\d+)$/m.exec(block)?.[1];
            if (id) last = id;
            if (data) onEvent(JSON.parse(data) as ServerEvent);
          }
        }
      } catch {
        // dropped or refused: retry below
      }
      onState?.(false);
      if (!stopped) await sleep(1000);
    }
  };
  void run();
  return () => {
    stopped = true;
    ctrl?.abort();
  };
}
