/**
 * Reading the inputs of offline commands: a `--config` file of ARM resources and an
 * optional `--service-tags` file. The only place the CLI touches the file system for them.
 */
import { readFileSync } from "node:fs";
import type { ArmResource } from "../model/resources/common.js";
import { ServiceTagCatalog, parseServiceTagFile } from "../model/catalog/service-tags.js";
import { defaultServiceTagCatalog } from "../model/catalog/synthetic-service-tags.js";
import { Snapshot } from "../engine/snapshot.js";

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** A JSON file (InputError naming `what` and the path when it cannot be read or parsed). */
export function loadJson(path: string, what: string): unknown {
  return readJson(path, what);
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(
      `${what} ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Accepts a plain array of ARM resources or `{ "value": [...] }` (what `az resource list`
 * and ARM list calls return). Entries must carry `id` and `type`.
 */
export function parseResourceList(json: unknown, source: string): ArmResource[] {
  const list = Array.isArray(json)
    ? json
    : json && typeof json === "object" && Array.isArray((json as { value?: unknown }).value)
      ? (json as { value: unknown[] }).value
      : undefined;
  if (!list)
    throw new InputError(
      `${source}: expected a JSON array of ARM resources or an object with a "value" array`,
    );
  list.forEach((r, i) => {
    if (!r || typeof r !== "object") throw new InputError(`${source}: entry [${i}] is not an object`);
    const o = r as Record<string, unknown>;
    if (typeof o.id !== "string" || !o.id.startsWith("/"))
      throw new InputError(`${source}: entry [${i}] has no resource "id"`);
    if (typeof o.type !== "string") throw new InputError(`${source}: entry [${i}] (${o.id}) has no "type"`);
    if (o.properties === undefined || o.properties === null) o.properties = {};
    if (typeof o.properties !== "object")
      throw new InputError(`${source}: entry [${i}] (${o.id}) has non-object "properties"`);
    if (typeof o.name !== "string") o.name = o.id.split("/").filter(Boolean).pop() ?? "";
  });
  return list as ArmResource[];
}

export function loadResources(path: string): ArmResource[] {
  return parseResourceList(readJson(path, "config"), `config ${path}`);
}

export function loadServiceTags(path: string | undefined): ServiceTagCatalog {
  if (!path) return defaultServiceTagCatalog();
  const json = readJson(path, "service tags");
  try {
    return ServiceTagCatalog.fromFile(parseServiceTagFile(json, `service tags ${path}`));
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

export function loadSnapshot(configPath: string, serviceTagsPath?: string): Snapshot {
  return new Snapshot(loadResources(configPath), { serviceTags: loadServiceTags(serviceTagsPath) });
}
