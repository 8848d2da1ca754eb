/**
 * The seed's quickstart ("vnet-2subnets-service-endpoints-storage-integration") built through the
 * official SDKs — NSG, VNet with a Storage endpoint on subnet1, two public IPs, two NICs, two
 * VMs, a storage account locked to subnet1 — then read back over ARM and handed to the engine
 * and to the offline CLI (`lazurite check --config`): testvm0 is admitted over the endpoint,
 * testvm1 gets 403 AuthorizationFailure (SE-RES-4, SE-ACL-1, SE-ACL-9, SE-SRC-4).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { Snapshot } from "../../src/engine/snapshot.js";
import { servicePublicAddress } from "../../src/arm/service-rules.js";
import { prefixContainsAddress, tryParseAddress } from "../../src/model/ip.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import { SUB, startTestServer, type TestServer } from "./server.js";
import { POLL, clients, subnetId } from "./services-clients.js";

let t: TestServer;
let resources: ArmResource[];
const RG = "quickstart";
const rg = `/subscriptions/${SUB}/resourceGroups/${RG}`;
const net = `${rg}/providers/Microsoft.Network`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/qsstore0`;
const vm = (i: number) => `${rg}/providers/Microsoft.Compute/virtualMachines/testvm${i}`;

beforeAll(async () => {
  t = await startTestServer();
  const network = t.network();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await network.networkSecurityGroups.beginCreateOrUpdateAndWait(
    RG,
    "default-NSG",
    {
      location: "westus",
      securityRules: [
        {
          name: "default-allow-3389",
          priority: 1000,
          access: "Allow",
          direction: "Inbound",
          protocol: "Tcp",
          destinationPortRange: "3389",
          sourcePortRange: "*",
          sourceAddressPrefix: "*",
          destinationAddressPrefix: "*",
        },
      ],
    },
    POLL,
  );
  await network.virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    "VNet1",
    {
      location: "westus",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          name: "subnet1",
          addressPrefix: "10.0.1.0/24",
          serviceEndpoints: [{ service: "Microsoft.Storage" }],
          networkSecurityGroup: { id: `${net}/networkSecurityGroups/default-NSG` },
        },
        { name: "subnet2", addressPrefix: "10.0.2.0/24" },
      ],
    },
    POLL,
  );
  for (const i of [0, 1]) {
    await network.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      `pip${i}`,
      { location: "westus", publicIPAllocationMethod: "Dynamic" },
      POLL,
    );
    await network.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      `nic${i}`,
      {
        location: "westus",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Dynamic",
            subnet: { id: subnetId(RG, "VNet1", i === 0 ? "subnet1" : "subnet2") },
            publicIPAddress: { id: `${net}/publicIPAddresses/pip${i}` },
          },
        ],
      },
      POLL,
    );
  }
  await clients(t).storage.storageAccounts.create(
    RG,
    "qsstore0",
    {
      location: "westus",
      sku: { name: "Standard_LRS" },
      kind: "Storage",
      networkRuleSet: {
        bypass: "None",
        defaultAction: "Deny",
        virtualNetworkRules: [
          { virtualNetworkResourceId: subnetId(RG, "VNet1", "subnet1"), action: "Allow" },
        ],
      },
    },
    POLL,
  );
  for (const i of [0, 1]) {
    await t.compute().virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      `testvm${i}`,
      {
        location: "westus",
        hardwareProfile: { vmSize: "Standard_A1" },
        networkProfile: { networkInterfaces: [{ id: `${net}/networkInterfaces/nic${i}` }] },
      },
      POLL,
    );
  }
  const list = await t.fetch("GET", `${rg}/resources?$expand=properties&api-version=2021-04-01`);
  expect(list.status).toBe(200);
  resources = list.json.value;
});
afterAll(async () => {
  await t?.dispose();
});

describe("SE-RES-4, SE-ACL-1: resources created through the API feed the engine", () => {
  it("the ARM read-back holds every resource of the quickstart, the account with its networkAcls", () => {
    expect(resources.map((r) => r.type).sort()).toEqual(
      [
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Storage/storageAccounts",
      ].sort(),
    );
    const acct = resources.find((r) => r.id === account)!;
    expect(acct.properties.networkAcls).toEqual({
      bypass: "None",
      virtualNetworkRules: [{ id: subnetId(RG, "VNet1", "subnet1"), action: "Allow", state: "succeeded" }],
      ipRules: [],
      defaultAction: "Deny",
    });
  });

  it("SE-ACL-1, SE-SRC-2: testvm0 (subnet1, endpoint) is Allowed over the endpoint with its private address", () => {
    const snap = new Snapshot(resources, { serviceTags: t.server.deps.serviceTags });
    const d = evaluate(snap, {
      source: { kind: "vm", vmId: vm(0) },
      destination: { kind: "resource", resourceId: account, endpoint: "blob" },
    });
    expect(d.decision).toBe("Allowed");
    expect(d.viaServiceEndpoint).toBe(true);
    expect(d.sourceAddress).toBe("10.0.1.4");
  });

  it("SE-ACL-9: testvm1 (subnet2, no endpoint) gets 403 AuthorizationFailure", () => {
    const snap = new Snapshot(resources, { serviceTags: t.server.deps.serviceTags });
    const d = evaluate(snap, {
      source: { kind: "vm", vmId: vm(1) },
      destination: { kind: "resource", resourceId: account },
    });
    expect(d.decision).toBe("Denied");
    expect(d.error).toMatchObject({ status: 403, code: "AuthorizationFailure" });
  });

  it("SE-SRC-4: the account's host name resolves to its public address, drawn from Storage.westus (the control plane's and the engine's agree)", () => {
    const snap = new Snapshot(resources, { serviceTags: t.server.deps.serviceTags });
    const d = evaluate(snap, {
      source: { kind: "vm", vmId: vm(1) },
      destination: { kind: "host", host: "qsstore0.blob.core.windows.net" },
    });
    expect(d.destinationResourceId).toBe(account);
    const acct = resources.find((r) => r.id === account)!;
    expect(d.destinationAddress).toBe(servicePublicAddress(acct, t.server.deps.serviceTags));
    const a = tryParseAddress(d.destinationAddress)!;
    expect(
      snap.catalog.regional("Storage", "westus")!.prefixes.some((p) => prefixContainsAddress(p, a)),
    ).toBe(true);
  });

  it("lazurite check --config works on the exported resources: testvm0 exit 0, testvm1 exit 1 with 403", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lazurite-qs-"));
    try {
      const file = join(dir, "resources.json");
      writeFileSync(file, JSON.stringify({ value: resources }));
      const run = async (...args: string[]) => {
        let out = "";
        const code = await main(["node", "lazurite", ...args], {
          out: (s) => (out += s),
          err: () => undefined,
        });
        return { code, out };
      };
      const ok = await run("check", "--config", file, "--from", vm(0), "--to", `${account}#blob`);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.out)).toMatchObject({ decision: "Allowed", viaServiceEndpoint: true });
      const denied = await run(
        "check",
        "--config",
        file,
        "--from",
        vm(1),
        "--to",
        "qsstore0.blob.core.windows.net",
      );
      expect(denied.code).toBe(1);
      expect(JSON.parse(denied.out)).toMatchObject({
        decision: "Denied",
        error: { status: 403, code: "AuthorizationFailure" },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
