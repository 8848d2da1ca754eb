/**
 * List answers: `{ value: [...], nextLink }` with an absolute https nextLink on the host
 * the client used, continuing with an opaque `$skiptoken`.
 */
import { ArmErrors } from "../model/errors.js";
import type { Ctx } from "./context.js";
import { queryParam } from "./context.js";

export interface PageRequest {
  after?: string;
  limit: number;
}

export function pageRequest(ctx: Ctx): PageRequest {
  const token = queryParam(ctx.req, "$skiptoken");
  const top = queryParam(ctx.req, "$top");
  let limit = ctx.deps.pageSize;
  if (top !== undefined) {
    if (!/^\d+$/.test(top) || Number(top) < 1)
      throw ArmErrors.invalidParameter(`The value '${top}' of '$top' is invalid.`, "$top");
    limit = Math.min(limit, Number(top));
  }
  if (token === undefined) return { limit };
  let after: string;
  try {
    after = Buffer.from(token, "base64url").toString("utf8");
  } catch {
    throw ArmErrors.invalidParameter(`The value of '$skiptoken' is invalid.`, "$skiptoken");
  }
  if (!after.startsWith("/") && !after.startsWith("op:")) {
    throw ArmErrors.invalidParameter(`The value of '$skiptoken' is invalid.`, "$skiptoken");
  }
  return { after, limit };
}

export function nextLink(ctx: Ctx, nextKey: string | undefined): string | undefined {
  if (nextKey === undefined) return undefined;
  const enc = (v: string) => encodeURIComponent(v).replace(/%24/g, "$");
  const parts: string[] = [];
  for (const [k, v] of Object.entries(ctx.req.query)) {
    if (k.toLowerCase() === "$skiptoken") continue;
    parts.push(`${enc(k)}=${enc(v)}`);
  }
  parts.push(`$skiptoken=${Buffer.from(nextKey, "utf8").toString("base64url")}`);
  return `${ctx.req.baseUrl}${encodeURI(ctx.req.path)}?${parts.join("&")}`;
}

export function listBody(
  ctx: Ctx,
  value: unknown[],
  nextKey: string | undefined,
): { value: unknown[]; nextLink?: string } {
  const link = nextLink(ctx, nextKey);
  return link === undefined ? { value } : { value, nextLink: link };
}
