/**
 * The template corpus (test/templates/NN-*.json): every template deploys through the
 * deployments API as a real client would send it, creates exactly the resources the table names,
 * answers the outputs the table gives, and — once deployed — its what-if shows no change
 * (noise-free: provider defaults, etags, provisioningState never count). Failing templates fail
 * as ARM does: `DeploymentFailed` whose details carry each failing resource's own provider error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployHarness, readJson, rgScope, SUB, NET_API, type DeployHarness } from "./deploy-harness.js";

interface Case {
  file: string;
  parameters?: string;
  mode?: "Complete";
  /** Subscription-scope deployment (location given). */
  subscription?: boolean;
  /** Resources created directly before the deployment (relative ids under the group). */
  before?: Array<{ id: string; body: unknown }>;
  state: "Succeeded" | "Failed";
  /** Ids relative to the group (`Microsoft.Network/virtualNetworks/x`) or absolute. */
  creates: string[];
  absent?: string[];
  outputs?: Record<string, unknown>;
  /** Error codes somewhere in the deployment error's details (nested details included). */
  errors?: string[];
  /** Resources whose deployment operation must say "not modelled". */
  notModelled?: string[];
}

const N = "Microsoft.Network";
const CASES: Case[] = [
  {
    file: "01-vnet-two-subnets.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-basic`],
    outputs: { backendEndpoints: 2 },
  },
  {
    file: "02-nsg-property-copy.json",
    state: "Succeeded",
    creates: [`${N}/networkSecurityGroups/nsg-web`],
    outputs: { ruleCount: 3 },
  },
  {
    file: "03-subnets-serial-copy.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-loop`, `${N}/virtualNetworks/vnet-loop/subnets/sn-2`],
    outputs: { lastSubnet: "sn-2" },
  },
  {
    file: "04-nics-copy.json",
    state: "Succeeded",
    creates: [1, 2, 3, 4].map((i) => `${N}/networkInterfaces/nic-${i}`),
    outputs: { firstIp: "10.30.0.10" },
  },
  {
    file: "05-conditions.json",
    state: "Succeeded",
    creates: [`${N}/networkInterfaces/nic-cond`],
    absent: [`${N}/publicIPAddresses/pip-cond`],
    outputs: { hasPublicIp: false },
  },
  {
    file: "06-nested-inner.json",
    state: "Succeeded",
    creates: [
      `${N}/virtualNetworks/vnet-inner`,
      `${N}/networkInterfaces/nic-inner`,
      "Microsoft.Resources/deployments/inner-network",
    ],
    outputs: { subnetId: "@rg/providers/Microsoft.Network/virtualNetworks/vnet-inner/subnets/apps" },
  },
  {
    file: "07-nested-outer.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-outer`],
    outputs: { prefix: "10.60.0.0/16" },
  },
  {
    file: "08-lv2-symbolic.json",
    state: "Succeeded",
    creates: [
      `${N}/virtualNetworks/vnet-lv2`,
      `${N}/networkSecurityGroups/nsg-lv2`,
      `${N}/routeTables/rt-lv2`,
    ],
    outputs: { vnetPrefix: "10.70.0.0/16" },
  },
  {
    file: "09-parameter-file.json",
    parameters: "09-parameter-file.parameters.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-params`],
    outputs: { name: "vnet-params", env: "test" },
  },
  {
    file: "10-outputs-copy.json",
    state: "Succeeded",
    creates: ["red", "green", "blue"].map((c) => `${N}/applicationSecurityGroups/asg-${c}`),
    outputs: {
      asgIds: ["red", "green", "blue"].map((c) => `@rg/providers/${N}/applicationSecurityGroups/asg-${c}`),
    },
  },
  {
    file: "11-complete-mode.json",
    mode: "Complete",
    before: [{ id: `${N}/networkSecurityGroups/nsg-extra`, body: { location: "westus", properties: {} } }],
    state: "Succeeded",
    creates: [`${N}/networkSecurityGroups/nsg-keep`],
    absent: [`${N}/networkSecurityGroups/nsg-extra`],
  },
  {
    file: "12-fail-subnet-outside-vnet.json",
    state: "Failed",
    creates: [`${N}/networkSecurityGroups/nsg-independent`],
    absent: [`${N}/virtualNetworks/vnet-bad`, `${N}/networkInterfaces/nic-after-bad`],
    errors: ["NetcfgSubnetRangeOutsideVnet"],
  },
  {
    file: "13-fail-storage-without-endpoint.json",
    state: "Failed",
    creates: [`${N}/virtualNetworks/vnet-noep`],
    errors: ["NetworkAclsValidationFailure"],
  },
  {
    file: "14-fail-nested.json",
    state: "Failed",
    creates: ["Microsoft.Resources/deployments/nested-bad"],
    absent: [`${N}/virtualNetworks/vnet-nested-bad`],
    errors: ["DeploymentFailed", "NetcfgSubnetRangesOverlap"],
  },
  {
    file: "15-unmodelled-types.json",
    state: "Succeeded",
    creates: [
      "Microsoft.OperationalInsights/workspaces/law-lazurite",
      "Microsoft.Cache/redis/redis-lazurite",
      "Microsoft.Compute/disks/disk-data",
      "Microsoft.ManagedIdentity/userAssignedIdentities/id-app",
    ],
    outputs: { retention: 30, diskSize: 64 },
    notModelled: [
      "Microsoft.OperationalInsights/workspaces",
      "Microsoft.Cache/redis",
      "Microsoft.Compute/disks",
      "Microsoft.ManagedIdentity/userAssignedIdentities",
    ],
  },
  {
    file: "16-route-table-subnet.json",
    state: "Succeeded",
    creates: [`${N}/routeTables/rt-spoke`, `${N}/virtualNetworks/vnet-spoke`],
    outputs: { routeCount: 1 },
  },
  {
    file: "17-endpoint-policy.json",
    state: "Succeeded",
    creates: [`${N}/serviceEndpointPolicies/sep-storage`, `${N}/virtualNetworks/vnet-sep`],
  },
  {
    file: "18-sql-vnet-rule.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-sql`],
  },
  {
    file: "19-keyvault-acls.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-kv`],
  },
  {
    file: "20-peering.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-hub`, `${N}/virtualNetworks/vnet-spoke1`],
    outputs: { state: "Connected" },
  },
  {
    file: "21-variable-copy.json",
    state: "Succeeded",
    creates: [`${N}/virtualNetworks/vnet-varcopy/subnets/tier2`],
    outputs: { count: 3, first: "tier0" },
  },
  {
    file: "22-subscription-scope.json",
    subscription: true,
    state: "Succeeded",
    creates: [
      `/subscriptions/${SUB}/resourceGroups/rg-from-sub`,
      `/subscriptions/${SUB}/resourceGroups/rg-from-sub/providers/${N}/virtualNetworks/vnet-subscope`,
    ],
  },
  {
    file: "23-legacy-2015-schema.json",
    state: "Succeeded",
    creates: [`${N}/networkInterfaces/nic-legacy`],
    outputs: { nicIp: "10.190.0.4" },
  },
];

function codesOf(e: any, out: string[] = []): string[] {
  if (!e || typeof e !== "object") return out;
  if (typeof e.code === "string") out.push(e.code);
  for (const d of e.details ?? []) codesOf(d, out);
  return out;
}

describe("template corpus (test/templates)", () => {
  let h: DeployHarness;
  beforeAll(async () => {
    h = await deployHarness();
  });
  afterAll(async () => h.close());

  it("holds at least 20 templates", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  for (const [i, c] of CASES.entries()) {
    it(`${c.file} deploys (${c.state}), creates what it names, and its what-if shows no change`, async () => {
      const rg = `rg-corpus-${i}`;
      const scope = c.subscription ? `/subscriptions/${SUB}` : rgScope(rg);
      if (!c.subscription) await h.group(rg);
      for (const b of c.before ?? []) {
        const res = await h.req("PUT", `${rgScope(rg)}/providers/${b.id}`, b.body, NET_API);
        expect(res.statusCode).toBeLessThan(300);
      }
      const template = readJson(c.file);
      const parameters = c.parameters ? readJson(c.parameters).parameters : {};
      const extra = c.subscription ? { location: "westus" } : {};
      const { put, final, polls } = await h.deploy(scope, `d${i}`, template, parameters, c.mode, extra);
      expect(put.statusCode).toBe(201);
      expect(h.json(put).properties.provisioningState).toBe("Accepted");
      expect(polls.at(-1), JSON.stringify(final.properties.error)).toBe(c.state);
      expect(final.properties.provisioningState).toBe(c.state);
      const abs = (id: string) => (id.startsWith("/") ? id : `${rgScope(rg)}/providers/${id}`);
      for (const id of c.creates) {
        const res = await h.req("GET", abs(id), undefined, NET_API);
        expect(res.statusCode, id).toBe(200);
      }
      for (const id of c.absent ?? []) {
        const res = await h.req("GET", abs(id), undefined, NET_API);
        expect(res.statusCode, id).toBe(404);
      }
      for (const [k, v] of Object.entries(c.outputs ?? {})) {
        const want = JSON.parse(JSON.stringify(v).replaceAll("@rg", rgScope(rg)));
        expect(final.properties.outputs[k].value, k).toEqual(want);
      }
      const ops = h.json(
        await h.req("GET", `${scope}/providers/Microsoft.Resources/deployments/d${i}/operations`),
      );
      if (c.state === "Failed") {
        expect(final.properties.error.code).toBe("DeploymentFailed");
        const codes = codesOf(final.properties.error);
        for (const code of c.errors ?? [])
          expect(codes, JSON.stringify(final.properties.error)).toContain(code);
        expect(ops.value.some((o: any) => o.properties.provisioningState === "Failed")).toBe(true);
        return;
      }
      expect(final.properties.outputResources.length).toBeGreaterThan(0);
      for (const type of c.notModelled ?? []) {
        const op = ops.value.find((o: any) => o.properties.targetResource?.resourceType === type);
        expect(op?.properties.statusMessage.notModelled, type).toBe(true);
      }
      const w = await h.whatIf(scope, `d${i}`, template, parameters, c.mode, extra);
      expect(w.status).toBe("Succeeded");
      const changed = w.properties.changes.filter((x: any) => !["NoChange", "Ignore"].includes(x.changeType));
      expect(changed, JSON.stringify(changed, null, 1).slice(0, 2000)).toEqual([]);
    });
  }
});
