/**
 * Azure's limits and input rules that Lazurite enforces, in one table. The control plane
 * reads its checks from here, and the "Limits and input rules" section of docs/fidelity.md is
 * generated from it (`limitsMarkdown`; test/security/limits.test.ts keeps the two equal —
 * `LAZURITE_UPDATE_DOCS=1` rewrites the section).
 *
 * Sources: Azure's naming-rules page (resource-name-rules, Microsoft.Network and
 * Microsoft.Resources), the networking limits (azure-facts §4.7), the tag limits of
 * "Use tags to organize your Azure resources".
 */
import { MAX_REQUEST_DEPTH, MAX_STORED_DEPTH } from "../json-depth.js";

/** How a resource name is checked: length, allowed characters, first and last character. */
export interface NameRule {
  /** Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`; `*` = the default rule. */
  type: string;
  min: number;
  max: number;
  /** Whole-name pattern (length checked separately). */
  pattern: RegExp;
  /** The rule in words, for the docs. */
  rule: string;
}

// Azure: alphanumerics, underscores, periods and hyphens; start with an alphanumeric; end
// with an alphanumeric or an underscore. ASCII only (`sübnet`, full-width letters are refused).
const NETWORK_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const NETWORK_RULE =
  "ASCII letters, digits, `_`, `.`, `-`; starts with a letter or digit; ends with a letter, digit or `_`";

const networkRule = (type: string, min: number, max: number): NameRule => ({
  type,
  min,
  max,
  pattern: NETWORK_NAME,
  rule: NETWORK_RULE,
});

export const NAME_RULES: readonly NameRule[] = [
  networkRule("Microsoft.Network/virtualNetworks", 2, 64),
  networkRule("Microsoft.Network/virtualNetworks/subnets", 1, 80),
  networkRule("Microsoft.Network/virtualNetworks/virtualNetworkPeerings", 1, 80),
  networkRule("Microsoft.Network/networkSecurityGroups", 1, 80),
  networkRule("Microsoft.Network/networkSecurityGroups/securityRules", 1, 80),
  networkRule("Microsoft.Network/routeTables", 1, 80),
  networkRule("Microsoft.Network/routeTables/routes", 1, 80),
  networkRule("Microsoft.Network/networkInterfaces", 1, 80),
  networkRule("Microsoft.Network/publicIPAddresses", 1, 80),
  networkRule("Microsoft.Network/applicationSecurityGroups", 1, 80),
  networkRule("Microsoft.Network/serviceEndpointPolicies", 1, 80),
  networkRule("*", 1, 80),
];

const byType = new Map(NAME_RULES.map((r) => [r.type.toLowerCase(), r]));

/** The name rule of a type (the default network rule when the type has none of its own). */
export function nameRuleOf(type: string): NameRule {
  return byType.get(type.toLowerCase()) ?? byType.get("*")!;
}

/** True when `name` satisfies the type's rule. */
export function nameAllowed(name: string, type: string): boolean {
  const r = nameRuleOf(type);
  return name.length >= r.min && name.length <= r.max && r.pattern.test(name);
}

/**
 * Resource group names (Microsoft.Resources/resourceGroups): 1–90 characters; letters and
 * digits (Unicode letters and digits, as ARM's rule allows), `_`, `-`, `.`, `(`, `)`; not
 * ending with a period.
 */
export const RESOURCE_GROUP_NAME = {
  min: 1,
  max: 90,
  pattern: /^[-\p{L}\p{N}_.()]+$/u,
  rule: "letters and digits (Unicode), `_`, `-`, `.`, `(`, `)`; does not end with `.`",
} as const;

export function resourceGroupNameAllowed(name: string): boolean {
  return (
    name.length >= RESOURCE_GROUP_NAME.min &&
    name.length <= RESOURCE_GROUP_NAME.max &&
    RESOURCE_GROUP_NAME.pattern.test(name) &&
    !name.endsWith(".")
  );
}

/** Child collections with a count limit: the parent's property and Azure's quota name. */
export interface CountLimit {
  /** Full type of the counted children. */
  type: string;
  /** Azure's quota (usage) name. */
  quota: string;
  what: string;
  max: number;
}

export const COUNT_LIMITS: readonly CountLimit[] = [
  {
    type: "Microsoft.Network/virtualNetworks/subnets",
    quota: "SubnetsPerVirtualNetwork",
    what: "subnets per virtual network",
    max: 3000,
  },
  {
    type: "Microsoft.Network/networkSecurityGroups/securityRules",
    quota: "SecurityRulesPerNetworkSecurityGroup",
    what: "security rules per network security group",
    max: 1000,
  },
  {
    type: "Microsoft.Network/routeTables/routes",
    quota: "RoutesPerRouteTable",
    what: "routes per route table",
    max: 400,
  },
];

const countByType = new Map(COUNT_LIMITS.map((l) => [l.type.toLowerCase(), l]));

export function countLimitOf(childType: string): CountLimit | undefined {
  return countByType.get(childType.toLowerCase());
}

/** Tags of every resource and resource group. */
export const TAG_LIMITS = {
  maxTags: 50,
  maxNameLength: 512,
  maxValueLength: 256,
  /** Characters ARM refuses in a tag name (control characters too). */
  forbiddenNameCharacters: ["<", ">", "%", "&", "\\", "?", "/"],
} as const;

/** True when a tag name holds a character ARM reserves (or a control character). */
export function tagNameHasReservedCharacters(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[<>%&\\?/\u0000-\u001f\u007f]/.test(name);
}

/** Request limits of the HTTP edge. */
export const REQUEST_LIMITS = {
  /** ARM's 4 MiB request body limit (413 RequestEntityTooLarge). */
  bodyBytes: 4 * 1024 * 1024,
  /** JSON nesting of a request body (400 InvalidRequestContent). */
  jsonDepth: MAX_REQUEST_DEPTH,
  /** Stored documents are read back cut to this depth. */
  storedJsonDepth: MAX_STORED_DEPTH,
} as const;

/** Server timeouts (src/http/app.ts), generous for SDK clients, short for idle or trickling connections. */
export const SERVER_TIMEOUTS = {
  /** The request line and all headers must arrive within this (Node's headersTimeout). */
  headersMs: 20_000,
  /** A whole request (headers and body) must arrive within this (Node's requestTimeout). */
  requestMs: 60_000,
  /** An idle keep-alive connection is closed after this (SDKs reuse connections within it). */
  keepAliveMs: 65_000,
  /** A connection without any traffic for this long is closed (socket timeout). */
  idleMs: 120_000,
} as const;

/** The "Limits and input rules" section of docs/fidelity.md, generated from the tables above. */
export function limitsMarkdown(): string {
  const lines: string[] = [];
  lines.push("| resource type | length | characters | code |", "|---|---|---|---|");
  for (const r of NAME_RULES) {
    const type = r.type === "*" ? "every other resource and child" : `\`${r.type}\``;
    lines.push(`| ${type} | ${r.min}–${r.max} | ${r.rule} | 400 \`InvalidResourceName\` |`);
  }
  const g = RESOURCE_GROUP_NAME;
  lines.push(`| resource groups | ${g.min}–${g.max} | ${g.rule} | 400 \`InvalidResourceGroupName\` |`);
  lines.push("", "| limit | value | code |", "|---|---|---|");
  for (const l of COUNT_LIMITS)
    lines.push(`| ${l.what} (\`${l.quota}\`) | ${l.max} | 400 \`QuotaExceeded\` |`);
  const t = TAG_LIMITS;
  lines.push(
    `| tags per resource or resource group | ${t.maxTags} | 400 \`InvalidTagsCount\` |`,
    `| tag name length | ${t.maxNameLength} | 400 \`InvalidTagName\` |`,
    `| tag value length | ${t.maxValueLength} | 400 \`InvalidTagValueLength\` |`,
    `| tag name characters | not ${t.forbiddenNameCharacters.map((c) => `\`${c}\``).join(" ")} or control characters | 400 \`InvalidTagNameCharacters\` |`,
    `| request body | ${REQUEST_LIMITS.bodyBytes} bytes (4 MiB) | 413 \`RequestEntityTooLarge\` |`,
    `| JSON nesting of a request body | ${REQUEST_LIMITS.jsonDepth} levels | 400 \`InvalidRequestContent\` |`,
    `| JSON nesting of a stored document when read | ${REQUEST_LIMITS.storedJsonDepth} levels (deeper subtrees read as \`null\`) | — |`,
    `| request line and headers | ${SERVER_TIMEOUTS.headersMs / 1000} s | connection closed (408 when possible) |`,
    `| whole request | ${SERVER_TIMEOUTS.requestMs / 1000} s | connection closed (408 when possible) |`,
    `| idle keep-alive connection | ${SERVER_TIMEOUTS.keepAliveMs / 1000} s | connection closed |`,
    `| connection without traffic | ${SERVER_TIMEOUTS.idleMs / 1000} s | connection closed |`,
  );
  return lines.join("\n");
}
