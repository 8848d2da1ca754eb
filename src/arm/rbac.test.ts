/**
 * The action matcher and RBAC evaluation against a straightforward reference (regex per
 * pattern, segment-prefix scopes), property-style with fast-check, plus the built-in roles
 * on the actions SE-CFG-5 and SE-ACL-3 are about.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JOIN_VIA_SERVICE_ENDPOINT } from "./authz.js";
import {
  CONTRIBUTOR,
  KEY_VAULT_CONTRIBUTOR,
  NETWORK_CONTRIBUTOR,
  OWNER,
  READER,
  SQL_SERVER_CONTRIBUTOR,
  STORAGE_ACCOUNT_CONTRIBUTOR,
  USER_ACCESS_ADMINISTRATOR,
  builtInRole,
} from "./providers/authorization/built-in-roles.js";
import {
  actionMatches,
  hasAssignmentWithin,
  isAllowed,
  scopeApplies,
  type Grant,
  type Permission,
} from "./rbac.js";

// ---- the reference ----

function refMatch(pattern: string, action: string): boolean {
  const re =
    "^" +
    pattern
      .split("*")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*") +
    "$";
  return new RegExp(re, "is").test(action);
}

function segs(scope: string): string[] {
  return scope
    .toLowerCase()
    .split("/")
    .filter((s) => s.length > 0);
}

function refApplies(assignmentScope: string, target: string): boolean {
  const a = segs(assignmentScope);
  const t = segs(target);
  return a.length <= t.length && a.every((s, i) => s === t[i]);
}

function refAllowed(grants: readonly Grant[], action: string, scope: string): boolean {
  for (const g of grants) {
    if (!refApplies(g.scope, scope)) continue;
    for (const p of g.permissions) {
      if (p.actions.some((a) => refMatch(a, action)) && !p.notActions.some((n) => refMatch(n, action)))
        return true;
    }
  }
  return false;
}

// ---- generators ----

const caseFlip = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((f) => [...s].map((c, i) => (f[i] ? c.toUpperCase() : c.toLowerCase())).join(""));
const token = fc.constantFrom(
  "Microsoft.Network",
  "virtualNetworks",
  "subnets",
  "read",
  "write",
  "action",
  "join",
  "a",
  "b",
  "ab",
  "ba",
  "/",
  ".",
  "x",
);
const action = fc.array(token, { minLength: 1, maxLength: 7 }).map((t) => t.join(""));
const pattern = fc
  .array(fc.oneof({ weight: 4, arbitrary: token }, { weight: 2, arbitrary: fc.constant("*") }), {
    minLength: 1,
    maxLength: 7,
  })
  .map((t) => t.join(""))
  .chain(caseFlip);
/** A pattern that matches `action` by construction (a random run replaced by `*`). */
const matchingPattern = action.chain((a) =>
  fc.tuple(fc.constant(a), fc.nat({ max: a.length }), fc.nat({ max: a.length })).map(([s, i, j]) => {
    const [lo, hi] = i <= j ? [i, j] : [j, i];
    return { action: s, pattern: s.slice(0, lo) + "*" + s.slice(hi) };
  }),
);

// A small resource tree so that prefixes are common.
const SCOPES = [
  "/",
  "/subscriptions/s1",
  "/subscriptions/s10",
  "/subscriptions/s1/resourceGroups/rg",
  "/subscriptions/s1/resourceGroups/rg1",
  "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
  "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
  "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v2/subnets/a",
  "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/sa",
];
const scope = fc.constantFrom(...SCOPES.slice(1)).chain(caseFlip);
const assignmentScope = fc.constantFrom(...SCOPES).chain((s) => (s === "/" ? fc.constant(s) : caseFlip(s)));
const permission: fc.Arbitrary<Permission> = fc.record({
  actions: fc.array(pattern, { maxLength: 3 }),
  notActions: fc.array(pattern, { maxLength: 2 }),
});
const grant: fc.Arbitrary<Grant> = fc.record({
  scope: assignmentScope,
  permissions: fc.array(permission, { minLength: 1, maxLength: 2 }),
});
const grants = fc.array(grant, { maxLength: 4 });

const RUNS = { numRuns: 2000 };

describe("action matcher (wildcards) against the regex reference", () => {
  it("agrees with the reference on random patterns and actions", () => {
    fc.assert(
      fc.property(pattern, action, (p, a) => actionMatches(p, a) === refMatch(p, a)),
      RUNS,
    );
  });

  it("a pattern made from the action by replacing a run with * always matches it, in any casing", () => {
    fc.assert(
      fc.property(
        matchingPattern.chain((m) => fc.tuple(caseFlip(m.pattern), caseFlip(m.action))),
        ([p, a]) => actionMatches(p, a),
      ),
      RUNS,
    );
  });

  it("* spans slashes and matches case-insensitively, as Azure's wildcards do", () => {
    expect(actionMatches("Microsoft.Network/*", "microsoft.network/virtualNetworks/subnets/write")).toBe(
      true,
    );
    expect(actionMatches("*/read", "Microsoft.Network/virtualNetworks/subnets/read")).toBe(true);
    expect(
      actionMatches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write"),
    ).toBe(true);
    expect(
      actionMatches("Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/delete"),
    ).toBe(false);
    expect(actionMatches("Microsoft.Network/*", "Microsoft.NetworkFunction/x/read")).toBe(false);
    expect(actionMatches("ab*ba", "aba")).toBe(false);
    expect(actionMatches("*", "anything/at/all")).toBe(true);
  });
});

describe("scope inheritance against the segment-prefix reference", () => {
  it("an assignment applies at its scope and below, segment-wise, case-insensitively", () => {
    fc.assert(
      fc.property(assignmentScope, scope, (a, t) => scopeApplies(a, t) === refApplies(a, t)),
      RUNS,
    );
  });

  it("no partial-segment inheritance: s1 does not cover s10, rg does not cover rg1", () => {
    expect(scopeApplies("/subscriptions/s1", "/subscriptions/s10/resourceGroups/x")).toBe(false);
    expect(scopeApplies("/subscriptions/s1/resourceGroups/rg", "/subscriptions/s1/resourceGroups/rg1")).toBe(
      false,
    );
    expect(
      scopeApplies(
        "/SUBSCRIPTIONS/S1/resourcegroups/RG",
        "/subscriptions/s1/resourceGroups/rg/providers/x/y/z",
      ),
    ).toBe(true);
  });
});

describe("RBAC evaluation (actions − notActions per role, union over assignments)", () => {
  it("agrees with the reference on random grants, actions and scopes", () => {
    fc.assert(
      fc.property(grants, action, scope, (g, a, s) => isAllowed(g, a, s) === refAllowed(g, a, s)),
      RUNS,
    );
  });

  it("notActions only subtract: removing them never takes access away", () => {
    fc.assert(
      fc.property(grants, action, scope, (g, a, s) => {
        const without = g.map((x) => ({
          ...x,
          permissions: x.permissions.map((p) => ({ ...p, notActions: [] })),
        }));
        return !isAllowed(g, a, s) || isAllowed(without, a, s);
      }),
      RUNS,
    );
  });

  it("a notAction of one role does not deny what another assignment grants", () => {
    const g: Grant[] = [
      {
        scope: "/subscriptions/s1",
        permissions: [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write"] }],
      },
      {
        scope: "/subscriptions/s1/resourceGroups/rg",
        permissions: [{ actions: ["Microsoft.Authorization/roleAssignments/write"], notActions: [] }],
      },
    ];
    expect(
      isAllowed(g, "Microsoft.Authorization/roleAssignments/write", "/subscriptions/s1/resourceGroups/rg"),
    ).toBe(true);
    expect(
      isAllowed(g, "Microsoft.Authorization/roleAssignments/write", "/subscriptions/s1/resourceGroups/other"),
    ).toBe(false);
  });

  it("access granted at a scope holds at every scope below it", () => {
    fc.assert(
      fc.property(
        grants,
        action,
        fc.constantFrom(...SCOPES.slice(1)),
        fc.constantFrom(...SCOPES.slice(1)),
        (g, a, s, t) => {
          if (!refApplies(s, t)) return true;
          return !isAllowed(g, a, s) || isAllowed(g, a, t);
        },
      ),
      RUNS,
    );
  });

  it("visibility: an assignment at or below a scope makes it visible, one beside it does not", () => {
    const g: Grant[] = [
      {
        scope: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        permissions: [],
      },
    ];
    expect(hasAssignmentWithin(g, "/subscriptions/s1")).toBe(true);
    expect(hasAssignmentWithin(g, "/subscriptions/s1/resourceGroups/rg")).toBe(true);
    expect(hasAssignmentWithin(g, "/subscriptions/s1/resourceGroups/rg1")).toBe(false);
  });
});

describe("built-in roles (real ids and permissions)", () => {
  const at = (id: string, scopeOf = "/subscriptions/s1"): Grant[] => [
    { scope: scopeOf, permissions: builtInRole(id)!.permissions },
  ];
  const SUBNET =
    "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
  const VNET = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
  const SA = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/sa";

  it("SE-CFG-5: Network Contributor on the VNet may write it and its subnets (enabling endpoints), nothing else", () => {
    const g = at(NETWORK_CONTRIBUTOR, VNET);
    expect(isAllowed(g, "Microsoft.Network/virtualNetworks/write", VNET)).toBe(true);
    expect(isAllowed(g, "Microsoft.Network/virtualNetworks/subnets/write", SUBNET)).toBe(true);
    expect(
      isAllowed(
        g,
        "Microsoft.Network/virtualNetworks/write",
        "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v2",
      ),
    ).toBe(false);
    expect(isAllowed(g, "Microsoft.Storage/storageAccounts/write", SA)).toBe(false);
  });

  it("SE-ACL-3: Owner, Contributor, Network Contributor and Storage Account Contributor carry joinViaServiceEndpoint; Reader, SQL Server and Key Vault Contributor do not", () => {
    for (const id of [OWNER, CONTRIBUTOR, NETWORK_CONTRIBUTOR, STORAGE_ACCOUNT_CONTRIBUTOR])
      expect(isAllowed(at(id), JOIN_VIA_SERVICE_ENDPOINT, SUBNET)).toBe(true);
    for (const id of [READER, SQL_SERVER_CONTRIBUTOR, KEY_VAULT_CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR]) {
      expect(isAllowed(at(id), JOIN_VIA_SERVICE_ENDPOINT, SUBNET)).toBe(false);
    }
  });

  it("SE-ACL-3: Storage Account Contributor on the account only does not reach the subnet", () => {
    const g = at(STORAGE_ACCOUNT_CONTRIBUTOR, SA);
    expect(isAllowed(g, "Microsoft.Storage/storageAccounts/write", SA)).toBe(true);
    expect(isAllowed(g, JOIN_VIA_SERVICE_ENDPOINT, SUBNET)).toBe(false);
  });

  it("Contributor may not write role assignments (notActions); Owner and User Access Administrator may; Reader only reads", () => {
    const w = "Microsoft.Authorization/roleAssignments/write";
    expect(isAllowed(at(CONTRIBUTOR), w, "/subscriptions/s1")).toBe(false);
    expect(isAllowed(at(CONTRIBUTOR), "Microsoft.Network/virtualNetworks/write", VNET)).toBe(true);
    expect(isAllowed(at(OWNER), w, "/subscriptions/s1")).toBe(true);
    expect(isAllowed(at(USER_ACCESS_ADMINISTRATOR), w, "/subscriptions/s1")).toBe(true);
    expect(isAllowed(at(READER), "Microsoft.Network/virtualNetworks/read", VNET)).toBe(true);
    expect(isAllowed(at(READER), "Microsoft.Network/virtualNetworks/write", VNET)).toBe(false);
    expect(
      isAllowed(
        at(KEY_VAULT_CONTRIBUTOR),
        "Microsoft.KeyVault/locations/deletedVaults/purge/action",
        "/subscriptions/s1",
      ),
    ).toBe(false);
    expect(
      isAllowed(
        at(SQL_SERVER_CONTRIBUTOR),
        "Microsoft.Sql/servers/virtualNetworkRules/write",
        "/subscriptions/s1",
      ),
    ).toBe(true);
    expect(
      isAllowed(
        at(SQL_SERVER_CONTRIBUTOR),
        "Microsoft.Sql/servers/auditingSettings/write",
        "/subscriptions/s1",
      ),
    ).toBe(false);
  });
});
