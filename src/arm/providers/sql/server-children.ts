/**
 * Children of SQL-family servers, each its own document (SE-RES-4, azure-facts §1b.2, §1b.3):
 *
 * - `servers/{s}/virtualNetworkRules/{name}`: `{ virtualNetworkSubnetId, ignoreMissingVnetServiceEndpoint, state }`.
 *   PUT answers 202 + `Azure-AsyncOperation` + `Location` and (re)validates the rule: the subnet
 *   must be in the server's region (SE-REG-1) and carry `Microsoft.Sql` unless
 *   `ignoreMissingVnetServiceEndpoint` is true (SE-ACL-2) — refusals are `VirtualNetworkRuleBadRequest`
 *   quoting the network RP; a malformed id is `LinkedInvalidPropertyId`. The stored state is
 *   `Ready`; a rule whose subnet later disappears or loses the endpoint reads `Unknown`
 *   (service-stale-rules.ts, SE-ACL-8) until it is PUT again. PostgreSQL / MySQL / MariaDB servers
 *   of the Basic tier refuse VNet rules with 405 `FeatureSwitchNotEnabled`. At most 128 per server.
 * - `servers/{s}/firewallRules/{name}`: `{ startIpAddress, endIpAddress }` (IPv4, start ≤ end);
 *   `0.0.0.0`–`0.0.0.0` is the "allow Azure services" rule. SQL answers synchronously (200/201),
 *   the single servers asynchronously. At most 128 per server.
 * - `servers/{s}/databases/{name}`, minimally: SQL databases are tracked resources (location,
 *   sku, `status: Online`); single-server databases carry `charset` / `collation`.
 *
 * Limitations: the 128-rule refusals and the firewall-rule address refusals use our wording
 * (codes `VirtualNetworkRuleBadRequest` / `BadRequest`); database properties beyond these are
 * stored as given.
 */
import { ArmErrors, type ArmError, textOf } from "../../../model/errors.js";
import { compareAddress, tryParseAddress } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import {
  SQL_FLAVORS,
  sqlFirewallRuleType,
  sqlVirtualNetworkRuleType,
  type SqlFlavor,
} from "../../../model/resources/sql-server.js";
import { childDocs, type SeparateChild } from "../../service-pipeline.js";
import { checkVnetRules, limitsOf, regionSentence, type RuleRefusal } from "../../service-rules.js";
import { boolAt, objectAt, regionAt, stringAt } from "../../validate.js";

/** The SQL family's words for a refused VNet rule. */
export function refuseSqlRule(r: RuleRefusal): ArmError {
  switch (r.kind) {
    case "malformed":
      return ArmErrors.linkedInvalidPropertyId(r.path, r.id);
    case "nrp":
      return ArmErrors.virtualNetworkRuleBadRequest(
        `Network resource provider returned following error: '${r.message}'.`,
      );
    case "region":
      return ArmErrors.virtualNetworkRuleBadRequest(regionSentence(r, "server"));
  }
}

/** Basic-tier single servers have no VNet rules. */
export function isBasicTier(server: ArmResource): boolean {
  const tier = typeof server.sku?.tier === "string" ? server.sku.tier : "";
  const name = typeof server.sku?.name === "string" ? server.sku.name : "";
  return tier.toLowerCase() === "basic" || /^B_/i.test(name);
}

export function virtualNetworkRulesChild(flavor: SqlFlavor): SeparateChild {
  const type = sqlVirtualNetworkRuleType(flavor);
  const serverType = SQL_FLAVORS[flavor].type;
  return {
    segment: "virtualNetworkRules",
    type,
    lro: "async",
    async prepare(ctx, { id, name, body, parent }) {
      const props = objectAt(body.properties, "properties") ?? {};
      const subnetId = props.virtualNetworkSubnetId;
      if (subnetId === undefined || subnetId === null || subnetId === "") {
        throw ArmErrors.invalidRequestFormat(
          "Cannot parse the request. The value at 'properties.virtualNetworkSubnetId' is required.",
        );
      }
      const ignore =
        boolAt(props.ignoreMissingVnetServiceEndpoint, "properties.ignoreMissingVnetServiceEndpoint") ??
        false;
      if (flavor !== "sql" && isBasicTier(parent)) throw ArmErrors.featureSwitchNotEnabled();
      const others = (await childDocs(ctx, parent.id, type)).filter(
        (d) => d.id.toLowerCase() !== id.toLowerCase(),
      );
      const limit = limitsOf(serverType).virtualNetworkRules;
      if (others.length + 1 > limit) {
        throw ArmErrors.virtualNetworkRuleBadRequest(
          `The server ${parent.name} already has the maximum of ${limit} virtual network rules.`,
        );
      }
      await checkVnetRules(
        ctx,
        {
          resourceType: serverType,
          resourceId: id,
          resourceRegion: String(parent.location ?? ""),
          action: `${type}/write`,
          refuse: refuseSqlRule,
        },
        [{ subnetId, path: "properties.virtualNetworkSubnetId", ignoreMissingEndpoint: ignore, isNew: true }],
      );
      return {
        id,
        name,
        type,
        properties: {
          ...props,
          virtualNetworkSubnetId: subnetId as string,
          ignoreMissingVnetServiceEndpoint: ignore,
          state: "Ready",
        },
      };
    },
  };
}

function ipv4At(v: unknown, path: string): string {
  const text = stringAt(v, path);
  const a = text === undefined ? undefined : tryParseAddress(text.trim());
  if (!a || a.family !== 4)
    throw ArmErrors.badRequest(`The value '${textOf(v)}' at '${path}' is not a valid IPv4 address.`);
  return text!.trim();
}

export function firewallRulesChild(flavor: SqlFlavor): SeparateChild {
  const type = sqlFirewallRuleType(flavor);
  return {
    segment: "firewallRules",
    type,
    lro: flavor === "sql" ? "sync" : "async",
    async prepare(ctx, { id, name, body, parent }) {
      const props = objectAt(body.properties, "properties") ?? {};
      const start = ipv4At(props.startIpAddress, "properties.startIpAddress");
      const end = ipv4At(props.endIpAddress, "properties.endIpAddress");
      if (compareAddress(tryParseAddress(start)!, tryParseAddress(end)!) > 0) {
        throw ArmErrors.badRequest(
          `The start IP address ${start} of firewall rule ${name} is greater than its end IP address ${end}.`,
        );
      }
      const others = (await childDocs(ctx, parent.id, type)).filter(
        (d) => d.id.toLowerCase() !== id.toLowerCase(),
      );
      const limit = limitsOf(SQL_FLAVORS[flavor].type).ipRules;
      if (others.length + 1 > limit)
        throw ArmErrors.badRequest(
          `The server ${parent.name} already has the maximum of ${limit} firewall rules.`,
        );
      return { id, name, type, properties: { ...props, startIpAddress: start, endIpAddress: end } };
    },
  };
}

export function databasesChild(flavor: SqlFlavor): SeparateChild {
  const type = `${SQL_FLAVORS[flavor].type}/databases`;
  return {
    segment: "databases",
    type,
    lro: "async",
    async prepare(ctx, { id, name, body, parent, existing }) {
      const props = { ...(objectAt(body.properties, "properties") ?? {}) };
      if (flavor !== "sql") {
        return {
          id,
          name,
          type,
          properties: {
            ...props,
            charset: props.charset ?? "UTF8",
            collation: props.collation ?? "English_United States.1252",
          },
        };
      }
      const location = body.location === undefined ? String(parent.location) : regionAt(body.location, type);
      const sku = objectAt(body.sku, "sku") ??
        existing?.sku ?? { name: "GP_Gen5", tier: "GeneralPurpose", family: "Gen5", capacity: 2 };
      const keep = (k: string, v: unknown) => existing?.properties?.[k] ?? v;
      return {
        id,
        name,
        type,
        location,
        ...(body.tags !== undefined ? { tags: body.tags as Record<string, string> } : {}),
        sku,
        kind: "v12.0,user",
        properties: {
          ...props,
          collation: props.collation ?? "SQL_Latin1_General_CP1_CI_AS",
          maxSizeBytes: props.maxSizeBytes ?? 34359738368,
          status: "Online",
          databaseId: keep("databaseId", ctx.deps.ids.guid()),
          creationDate: keep("creationDate", new Date(ctx.now).toISOString()),
          currentServiceObjectiveName: (sku as { name?: string }).name ?? "GP_Gen5",
        },
      };
    },
  };
}
