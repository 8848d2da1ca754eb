/** `lazurite serve` start-up: the printed lines, port 0, generated certificates, and --demo. */
import { readFileSync, rmSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { DEMO_RESOURCE_GROUP, DEMO_STORAGE_ACCOUNT } from "../../src/demo/quickstart.js";
import { startServer } from "../../src/main.js";
import { NetworkManagementClient } from "@azure/arm-network";
import { credential, tempDataDir } from "./server.js";

describe("serve", () => {
  it("--port 0 picks a free port and prints the real URL, then what to paste for the JS and Python SDKs", async () => {
    const dataDir = tempDataDir();
    const lines: string[] = [];
    const s = await startServer(loadConfig({ port: 0, dataDir, logLevel: "silent" }, {}, dataDir), {
      print: (l) => lines.push(l),
    });
    try {
      expect(s.port).toBeGreaterThan(0);
      expect(s.url).toBe(`https://localhost:${s.port}`);
      const urlLine = lines.find((l) => l.startsWith("Lazurite ARM emulator listening on"));
      expect(urlLine).toContain(s.url);
      expect(
        lines.some(
          (l) => l.includes(`NODE_EXTRA_CA_CERTS=${s.caFile}`) && l.includes(`endpoint: "${s.url}"`),
        ),
      ).toBe(true);
      expect(
        lines.some((l) => l.includes(`REQUESTS_CA_BUNDLE=${s.caFile}`) && l.includes(`base_url="${s.url}"`)),
      ).toBe(true);
      expect(lines[0]).toContain("Generated a local CA");
      const cert = new X509Certificate(readFileSync(`${dataDir}/tls/server.pem`));
      expect(cert.subjectAltName).toContain("DNS:localhost");
      expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
      expect(cert.checkIssued(new X509Certificate(readFileSync(s.caFile)))).toBe(true);
    } finally {
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("--demo loads the quickstart network through the providers (endpoint locations, NIC addresses, back references)", async () => {
    const dataDir = tempDataDir();
    const s = await startServer(
      loadConfig({ port: 0, dataDir, logLevel: "silent", demo: true }, {}, dataDir),
      { print: () => undefined },
    );
    try {
      const sub = s.deps.tenancy.subscriptionId;
      const net = new NetworkManagementClient(credential, sub, {
        endpoint: s.url,
        tlsOptions: { ca: readFileSync(s.caFile) },
      });
      const subnet1 = await net.subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet1");
      expect(subnet1.serviceEndpoints?.[0]).toMatchObject({
        service: "Microsoft.Storage",
        locations: ["westus", "eastus"],
      });
      expect(subnet1.ipConfigurations?.map((c) => c.id?.split("/")[8])).toEqual(["nic0"]);
      const nic1 = await net.networkInterfaces.get(DEMO_RESOURCE_GROUP, "nic1");
      expect(nic1.ipConfigurations?.[0]?.privateIPAddress).toBe("10.0.2.4");
      expect(nic1.virtualMachine?.id).toMatch(/virtualMachines\/testvm1$/);
      const pip0 = await net.publicIPAddresses.get(DEMO_RESOURCE_GROUP, "pip0");
      expect(pip0.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const account = await s.app.inject({
        method: "GET",
        url: `/subscriptions/${sub}/resourceGroups/${DEMO_RESOURCE_GROUP}/resources?api-version=2021-04-01`,
        headers: { host: "localhost" },
      });
      expect(JSON.parse(account.body).value.map((r: { type: string }) => r.type)).toContain(
        "Microsoft.Storage/storageAccounts",
      );
      const sa = await s.app.inject({
        method: "GET",
        url: `/subscriptions/${sub}/resourceGroups/${DEMO_RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}?api-version=2023-01-01`,
        headers: { host: "localhost" },
      });
      expect(JSON.parse(sa.body).properties.networkAcls.virtualNetworkRules[0].id).toBe(subnet1.id);
      // Loaded once: a second start with --demo over the same data dir adds nothing and breaks nothing.
      await net.virtualNetworks.updateTags(DEMO_RESOURCE_GROUP, "VNet1", { tags: { touched: "yes" } });
    } finally {
      await s.close();
    }
    const again = await startServer(
      loadConfig({ port: 0, dataDir, logLevel: "silent", demo: true }, {}, dataDir),
      { print: () => undefined },
    );
    try {
      const res = await again.app.inject({
        method: "GET",
        url: `/subscriptions/${again.deps.tenancy.subscriptionId}/resourceGroups/${DEMO_RESOURCE_GROUP}/providers/Microsoft.Network/virtualNetworks/VNet1?api-version=2025-05-01`,
        headers: { host: "localhost" },
      });
      expect(JSON.parse(res.body).tags).toEqual({ touched: "yes" });
    } finally {
      await again.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("--service-tags loads Microsoft's file: serviceTags answers it and public IPs come from its AzureCloud ranges", async () => {
    const dataDir = tempDataDir();
    const file = resolve(import.meta.dirname, "../../../shared/data/ServiceTags_Public_20260626.subset.json");
    const raw = JSON.parse(readFileSync(file, "utf8")) as { changeNumber: number };
    const s = await startServer(
      loadConfig({ port: 0, dataDir, logLevel: "silent", serviceTags: file }, {}, dataDir),
      { print: () => undefined },
    );
    try {
      const sub = s.deps.tenancy.subscriptionId;
      const net = new NetworkManagementClient(credential, sub, {
        endpoint: s.url,
        tlsOptions: { ca: readFileSync(s.caFile) },
      });
      const tags = await net.serviceTags.list("westus");
      expect(tags.changeNumber).toBe(String(raw.changeNumber));
      expect(tags.values?.length).toBe(s.deps.serviceTags.tags.length);
      await s.app.inject({
        method: "PUT",
        url: `/subscriptions/${sub}/resourceGroups/g?api-version=2021-04-01`,
        payload: { location: "westus" },
        headers: { host: "localhost" },
      });
      const pip = await net.publicIPAddresses.beginCreateOrUpdateAndWait(
        "g",
        "p",
        { location: "westus" },
        { updateIntervalInMs: 10 },
      );
      expect(s.deps.serviceTags.tagsContaining(pip.ipAddress!).map((n) => n.toLowerCase())).toContain(
        "azurecloud.westus",
      );
    } finally {
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
