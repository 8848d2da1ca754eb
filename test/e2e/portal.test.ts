/**
 * The portal end to end: the real server with the demo network (startTestServer, --demo), the
 * built web app it serves at `/`, Debian's Chromium driven by playwright-core (one browser for
 * the file), and the official SDK making changes "elsewhere". Screenshots of each view go to
 * test-results/portal/ (gitignored; the best are copied to docs/portal/).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetworkManagementClient } from "@azure/arm-network";
import { DeploymentsClient } from "@azure/arm-resourcesdeployments";
import { ClientSecretCredential } from "@azure/identity";
import type { Page } from "playwright-core";
import { DEMO_RESOURCE_GROUP, DEMO_STORAGE_ACCOUNT, DEMO_SUBSCRIPTION } from "../../src/demo/quickstart.js";
import { chromiumMissing, launchChromium, type LaunchedBrowser } from "./browser.js";
import { credential, startTestServer, type TestServer } from "./server.js";

const root = resolve(import.meta.dirname, "../..");
const shots = resolve(root, "test-results/portal");
const missing = chromiumMissing();
if (missing) console.log(`portal browser tests skipped: ${missing}`);

const RG = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const ACCOUNT = `${RG}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: any[] }> } }).axe;
    const r = await axe.run();
    return r.violations.map((v) => ({
      id: v.id as string,
      impact: v.impact as string,
      nodes: (v.nodes as Array<{ target: string[] }>).map((n) => n.target.join(" ")).slice(0, 3),
    }));
  });
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(", ")}`);
}

describe.skipIf(missing !== undefined)("portal in Chromium", () => {
  let t: TestServer;
  let b: LaunchedBrowser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // The portal as the package ships it, built from the current sources.
    execFileSync(
      process.execPath,
      [resolve(root, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts"],
      {
        cwd: root,
        stdio: "pipe",
      },
    );
    mkdirSync(shots, { recursive: true });
    t = await startTestServer({ flags: { demo: true } });
    b = await launchChromium();
    page = await b.browser.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.goto(`${t.url}/`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  });

  afterAll(async () => {
    await b?.close();
    await t?.dispose();
  });

  it("serves the portal at / while ARM and /_emulator paths answer as before", async () => {
    const index = await b.browser.request.get(`${t.url}/`);
    expect(index.status()).toBe(200);
    expect(index.headers()["content-type"]).toContain("text/html");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    expect(script).toBeDefined();
    const js = await b.browser.request.get(`${t.url}${script}`);
    expect(js.headers()["content-type"]).toContain("text/javascript");
    const outside = await b.browser.request.get(`${t.url}/assets/..%2fpackage.json`);
    expect(outside.status()).toBe(404);
    const arm = await t.fetch("GET", "/subscriptions?api-version=2022-12-01");
    expect(arm.status).toBe(200);
    const unknown = await t.fetch("GET", "/not-a-route");
    expect(unknown.status).toBe(404);
    expect(typeof unknown.json.error.code).toBe("string");
    const health = await t.fetch("GET", "/_emulator/health");
    expect(health.json).toEqual({ status: "ok" });
  });

  it("topology shows VNet1, subnet1, subnet2, testvm0, testvm1 and the demo storage account", async () => {
    const svg = page.getByRole("group", { name: /Network topology/ });
    for (const text of ["VNet1", "subnet1", "subnet2", "VM testvm0", "VM testvm1", DEMO_STORAGE_ACCOUNT])
      await expect(svg.getByText(text, { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(
      page
        .getByRole("button", {
          name: /Subnet VNet1\/subnet1 10\.0\.1\.0\/24, .*endpoints Microsoft\.Storage/,
        })
        .count(),
    ).resolves.toBe(1);
    await page.screenshot({ path: `${shots}/topology.png` });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("search narrows the picture to what matches", async () => {
    await page.getByRole("searchbox").fill("testvm1");
    await expect(page.getByText("1 match", { exact: true }).isVisible()).resolves.toBe(true);
    await page.getByRole("searchbox").fill("");

    // Pan and zoom from the keyboard: the canvas takes arrow keys, + and − and 0.
    const canvas = page.getByRole("group", { name: /Network topology/ });
    const transform = () => canvas.locator("g").first().getAttribute("transform");
    const start = await transform();
    await canvas.focus();
    await page.keyboard.press("+");
    const zoomed = await transform();
    expect(Number(/scale\(([\d.]+)\)/.exec(zoomed ?? "")?.[1])).toBeGreaterThan(
      Number(/scale\(([\d.]+)\)/.exec(start ?? "")?.[1]),
    );
    await page.keyboard.press("ArrowLeft");
    expect(await transform()).not.toBe(zoomed);
    await page.keyboard.press("0");
    expect(await transform()).toMatch(/^translate\(0,0\) scale\(/);
  });

  it("SE-CFG-6, SE-SRC-3: ticking Microsoft.Storage on subnet2 previews testvm1's switch (access once a VNet rule exists), resets on subnet2 only; applying writes the ARM subnet and keeps its other properties", async () => {
    // Keyboard only: focus the subnet and press Enter.
    await page.getByRole("button", { name: /Subnet VNet1\/subnet2/ }).focus();
    await page.keyboard.press("Enter");
    const panel = page.getByRole("complementary", { name: "Subnet subnet2" });
    await panel.getByRole("heading", { name: "Subnet VNet1/subnet2" }).waitFor();
    await panel.getByLabel("Microsoft.Storage", { exact: true }).check();
    await page.screenshot({ path: `${shots}/subnet-panel.png` });
    await panel.getByRole("button", { name: "Review changes…" }).click();
    const dialog = page.getByRole("dialog", { name: /Preview: Service endpoints on subnet VNet1\/subnet2/ });
    await dialog.getByRole("heading", { name: "Connections reset (SE-CFG-6)" }).waitFor();
    const gained = await dialog.locator(".gained").innerText();
    expect(gained).toContain("testvm1 → lazuritedemo0sa: gains access once a VNet rule exists");
    const switched = await dialog
      .getByText(/testvm1 → lazuritedemo0sa now arrives from 10\.0\.2\.4/)
      .innerText();
    expect(switched).toContain("over the service endpoint");
    const resets = await dialog.locator(".resets").innerText();
    expect(resets).toContain("subnet VNet1/subnet2");
    expect(resets).not.toContain("subnet1");
    expect(await dialog.locator(".lost").innerText()).toContain("None.");
    await page.screenshot({ path: `${shots}/preview.png` });
    expect(await seriousViolations(page)).toEqual([]);

    const before = await t.network(DEMO_SUBSCRIPTION).subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet2");
    expect(before.serviceEndpoints ?? []).toEqual([]);
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.waitFor({ state: "detached" });
    const after = await t.network(DEMO_SUBSCRIPTION).subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet2");
    expect(after.serviceEndpoints?.map((e) => e.service)).toEqual(["Microsoft.Storage"]);
    expect(after.addressPrefix).toBe("10.0.2.0/24");
    expect(after.ipConfigurations?.map((c) => c.id?.split("/")[8])).toEqual(["nic1"]);
    const subnet1 = await t.network(DEMO_SUBSCRIPTION).subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet1");
    expect(subnet1.serviceEndpoints?.map((e) => e.service)).toEqual(["Microsoft.Storage"]);
    expect(subnet1.networkSecurityGroup?.id).toMatch(/default-NSG$/);
    await page
      .getByRole("button", { name: /Subnet VNet1\/subnet2 10\.0\.2\.0\/24, .*endpoints Microsoft\.Storage/ })
      .waitFor();
  });

  it("adding subnet2 on the account's Networking page makes the access view show testvm1 → account Allowed", async () => {
    await page.getByRole("button", { name: "Close subnet panel" }).click();
    await page.getByRole("button", { name: /storageAccounts lazuritedemo0sa/ }).click();
    const net = page.getByRole("complementary", { name: `Networking of ${DEMO_STORAGE_ACCOUNT}` });
    await expect(
      net.getByLabel("Enabled from selected virtual networks and IP addresses").isChecked(),
    ).resolves.toBe(true);
    await net.getByLabel("Subnet", { exact: true }).selectOption({ label: "subnet2 (10.0.2.0/24)" });
    await net.getByRole("button", { name: "Add existing virtual network" }).click();
    await net.getByRole("row", { name: /^VNet1 subnet2 10\.0\.2\.0\/24 Enabled lazurite-demo/ }).waitFor();
    await page.screenshot({ path: `${shots}/networking.png` });
    expect(await seriousViolations(page)).toEqual([]);
    await net.getByRole("button", { name: "Save…" }).click();
    const dialog = page.getByRole("dialog", { name: `Preview: Networking of ${DEMO_STORAGE_ACCOUNT}` });
    await dialog.locator(".gained").getByText("testvm1 → lazuritedemo0sa: Denied → Allowed").waitFor();
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.waitFor({ state: "detached" });
    const r = await t.fetch("GET", `${ACCOUNT}?api-version=2023-01-01`);
    expect(
      r.json.properties.networkAcls.virtualNetworkRules.map((v: { id: string }) => v.id.split("/").pop()),
    ).toEqual(["subnet1", "subnet2"]);

    await page.getByRole("tab", { name: "Access" }).click();
    await page.getByLabel("Source", { exact: true }).selectOption({ label: "testvm1" });
    await page.getByLabel("Destination").selectOption({ value: ACCOUNT });
    const decision = page.getByRole("status", { name: "Decision" });
    await decision.getByText(/testvm1 → lazuritedemo0sa: Allowed/).waitFor();
    expect(await decision.innerText()).toContain("seen from 10.0.2.4 over the service endpoint");
    await page.screenshot({ path: `${shots}/access-allowed.png` });
  });

  it("a denied path highlights the blocking hop, and its smallest fix opens the change preview", async () => {
    await page.getByLabel("Source kind").selectOption("internet");
    await page.getByLabel("Address", { exact: true }).fill("198.51.100.7");
    const decision = page.getByRole("status", { name: "Decision" });
    await decision.getByText(/198\.51\.100\.7 → lazuritedemo0sa: Denied/).waitFor();
    const blocking = page.getByRole("listitem", { name: /blocking/ });
    await expect(blocking.count()).resolves.toBe(1);
    expect(await blocking.getAttribute("aria-label")).toBe("Service firewall: blocking");
    await page.screenshot({ path: `${shots}/access-denied.png` });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Allow 198.51.100.7 on lazuritedemo0sa…" }).click();
    const ipDialog = page.getByRole("dialog", { name: "Preview: Allow 198.51.100.7 on lazuritedemo0sa" });
    await ipDialog.getByText(/Modify Microsoft\.Storage\/storageAccounts\/lazuritedemo0sa/).waitFor();
    await ipDialog.getByRole("button", { name: "Cancel" }).click();

    // SE-ACL-8: subnet2 loses its endpoint through the SDK; the account's rule for it goes stale
    // (drawn broken), testvm1 is refused, and the smallest fix is the endpoint.
    const network = t.network(DEMO_SUBSCRIPTION);
    const s2 = await network.subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet2");
    await network.subnets.beginCreateOrUpdateAndWait(
      DEMO_RESOURCE_GROUP,
      "VNet1",
      "subnet2",
      { ...s2, serviceEndpoints: [] },
      { updateIntervalInMs: 10 },
    );
    await page.getByLabel("Source kind").selectOption("resource");
    await page.getByLabel("Source", { exact: true }).selectOption({ label: "testvm1" });
    await decision.getByText(/testvm1 → lazuritedemo0sa: Denied/).waitFor();
    const fix = page.getByRole("button", { name: "Turn on Microsoft.Storage on VNet1/subnet2…" });
    await fix.click();
    const dialog = page.getByRole("dialog", {
      name: /Preview: Turn on Microsoft\.Storage on VNet1\/subnet2/,
    });
    const pending = dialog
      .locator(".gained")
      .getByText(/testvm1 → lazuritedemo0sa: gains access once a VNet rule exists/);
    expect(await pending.innerText()).toContain("Re-add the VNet rule");
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.waitFor({ state: "detached" });
    await decision.getByText(/seen from 10\.0\.2\.4 over the service endpoint/).waitFor();
    expect(await decision.innerText()).toContain("Denied");

    await page.getByRole("tab", { name: "Topology" }).click();
    await page
      .getByRole("button", {
        name: /storageAccounts lazuritedemo0sa: Selected networks, 2 VNet rule\(s\), 1 stale/,
      })
      .waitFor();
    expect(await page.locator("path.rule.stale").count()).toBe(1);
    await page.getByRole("button", { name: /storageAccounts lazuritedemo0sa/ }).focus();
    await page.keyboard.press("Enter");
    await page
      .getByRole("complementary")
      .getByText(/stale: the rule is networkSourceDeleted/)
      .waitFor();
    await page.screenshot({ path: `${shots}/stale-rule.png` });
  });

  it("a change made through the SDK elsewhere appears live in the open page", async () => {
    await page.getByRole("tab", { name: "Topology" }).click();
    await page
      .getByRole("button", { name: /Subnet VNet1\/subnet1 10\.0\.1\.0\/24, .*endpoints Microsoft\.Storage$/ })
      .waitFor();
    const network = t.network(DEMO_SUBSCRIPTION);
    const s1 = await network.subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet1");
    await network.subnets.beginCreateOrUpdateAndWait(
      DEMO_RESOURCE_GROUP,
      "VNet1",
      "subnet1",
      { ...s1, serviceEndpoints: [...(s1.serviceEndpoints ?? []), { service: "Microsoft.KeyVault" }] },
      { updateIntervalInMs: 10 },
    );
    await page
      .getByRole("button", {
        name: /Subnet VNet1\/subnet1 10\.0\.1\.0\/24, .*endpoints Microsoft\.Storage, Microsoft\.KeyVault$/,
      })
      .waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${shots}/live.png` });
  });

  it("who-can-reach matrix, effective routes and rules, and the request log", async () => {
    await page.getByRole("tab", { name: "Who can reach" }).click();
    await page.getByRole("button", { name: "testvm1 → lazuritedemo0sa: Denied" }).waitFor();
    await page.getByRole("button", { name: "testvm0 → lazuritedemo0sa: Allowed" }).waitFor();
    await page.getByLabel("Decision").selectOption("denied");
    await expect(page.getByRole("button", { name: /→ lazuritedemo0sa: Allowed/ }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /→ lazuritedemo0sa: Denied/ }).count()).resolves.toBe(1);
    await page.getByLabel("Decision").selectOption("all");
    await page.screenshot({ path: `${shots}/matrix.png` });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("tab", { name: "Effective routes and rules" }).click();
    await page.getByRole("cell", { name: "VirtualNetworkServiceEndpoint" }).first().waitFor();
    await page.getByRole("cell", { name: "defaultSecurityRules/DenyAllInBound" }).first().waitFor();
    await page.screenshot({ path: `${shots}/effective.png` });

    await page.getByRole("tab", { name: "Access" }).click();
    await page.getByLabel("Source", { exact: true }).selectOption({ label: "testvm1" });
    await page.getByRole("button", { name: "Send a request" }).click();
    await page.getByText(/Request: RefusedByService \(403 AuthorizationFailure\)/).waitFor();
    await page.getByRole("tab", { name: "Request log" }).click();
    await page.getByRole("cell", { name: "10.0.2.4" }).first().waitFor();
    await page.screenshot({ path: `${shots}/request-log.png` });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("a deployment made through the SDK shows in the deployments list with its what-if; its peering and on-premises gateway are drawn", async () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      parameters: { prefix: { type: "string", defaultValue: "10.1.0.0/16" } },
      resources: [
        {
          type: "Microsoft.Network/virtualNetworks",
          apiVersion: "2023-09-01",
          name: "VNet2",
          location: "westus",
          properties: {
            addressSpace: { addressPrefixes: ["[parameters('prefix')]"] },
            subnets: [{ name: "apps", properties: { addressPrefix: "10.1.1.0/24" } }],
          },
        },
        {
          type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
          apiVersion: "2023-09-01",
          name: "VNet2/to-VNet1",
          dependsOn: ["[resourceId('Microsoft.Network/virtualNetworks', 'VNet2')]"],
          properties: {
            remoteVirtualNetwork: { id: "[resourceId('Microsoft.Network/virtualNetworks', 'VNet1')]" },
            allowVirtualNetworkAccess: true,
          },
        },
        {
          type: "Microsoft.Network/localNetworkGateways",
          apiVersion: "2023-09-01",
          name: "onprem-hq",
          location: "westus",
          properties: {
            gatewayIpAddress: "203.0.113.1",
            localNetworkAddressSpace: { addressPrefixes: ["192.168.0.0/16"] },
          },
        },
      ],
    };
    const deployments = new DeploymentsClient(credential, DEMO_SUBSCRIPTION, {
      endpoint: t.url,
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    } as never);
    await deployments.deployments.beginCreateOrUpdateAndWait(
      DEMO_RESOURCE_GROUP,
      "network-extension",
      { properties: { mode: "Incremental", template, parameters: { prefix: { value: "10.1.0.0/16" } } } },
      { updateIntervalInMs: 10 },
    );

    await page.getByRole("tab", { name: "Topology" }).click();
    const svg = page.getByRole("group", { name: /Network topology/ });
    await svg.getByText("VNet2", { exact: true }).waitFor();
    await svg.getByText("⇄ to-VNet1").waitFor();
    await svg.getByText("onprem-hq", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Fit" }).click();
    await page.screenshot({ path: `${shots}/topology-peering.png` });

    await page.getByRole("tab", { name: "Deployments" }).click();
    const row = page.getByRole("row", { name: /network-extension/ });
    await row.getByRole("cell", { name: "Succeeded" }).waitFor();
    await row.getByRole("button", { name: "What-if of network-extension" }).click();
    const report = page.getByRole("region", { name: "What-if report of network-extension" });
    await report.getByText(/NoChange Microsoft\.Network\/virtualNetworks\/VNet2$/).waitFor();
    const text = await report.innerText();
    expect(text).toContain("NoChange Microsoft.Network/localNetworkGateways/onprem-hq");
    expect(text).not.toMatch(/\bCreate\b|\bDelete\b/);
    await page.screenshot({ path: `${shots}/deployments.png` });
    expect(await seriousViolations(page)).toEqual([]);

    // The account's Networking page warns, as Azure does, when the picked subnet lacks the endpoint,
    // and its Enable button previews turning the endpoint on.
    await page.getByRole("tab", { name: "Topology" }).click();
    await page.getByRole("button", { name: /storageAccounts lazuritedemo0sa/ }).click();
    const net = page.getByRole("complementary", { name: `Networking of ${DEMO_STORAGE_ACCOUNT}` });
    await net.getByLabel("Virtual network", { exact: true }).selectOption({ label: "VNet2 (lazurite-demo)" });
    await net.getByLabel("Subnet", { exact: true }).selectOption({ label: "apps (10.1.1.0/24)" });
    const warning = net.getByText(
      /don't have service endpoints enabled for 'Microsoft\.Storage': VNet2\/apps/,
    );
    await warning.waitFor();
    await net.getByRole("button", { name: "Enable", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Preview: Enable Microsoft.Storage on VNet2/apps" });
    await dialog.getByText("VNet2/apps: adds Microsoft.Storage").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("no console errors on the way", () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe.skipIf(missing !== undefined)("portal in Chromium, --auth strict", () => {
  let t: TestServer;
  let b: LaunchedBrowser;
  let page: Page;
  const consoleErrors: string[] = [];
  const principal = { appId: "c0000000-0000-4000-8000-0000000000c1", objectId: "", secret: "" };
  const owner = { appId: "c0000000-0000-4000-8000-0000000000c2", objectId: "", secret: "" };
  let tenantId = "";

  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await t.fetch(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };

  beforeAll(async () => {
    t = await startTestServer({ flags: { demo: true, auth: "strict" } });
    tenantId = t.server.deps.tenancy.tenantId;
    for (const [sp, name] of [
      [principal, "portal-operator"],
      [owner, "pipeline"],
    ] as const) {
      const r = await admin("PUT", `/_emulator/tenants/${tenantId}/servicePrincipals/${sp.appId}`, {
        displayName: name,
      });
      sp.objectId = r.objectId;
      sp.secret = r.secret;
    }
    // The operator reads the subscription and may change the network, not the storage account.
    await admin("POST", `/_emulator/tenants/${tenantId}/roleAssignments`, {
      principalId: principal.objectId,
      roleName: "Reader",
      scope: `/subscriptions/${DEMO_SUBSCRIPTION}`,
    });
    await admin("POST", `/_emulator/tenants/${tenantId}/roleAssignments`, {
      principalId: principal.objectId,
      roleName: "Network Contributor",
      scope: RG,
    });
    await admin("POST", `/_emulator/tenants/${tenantId}/roleAssignments`, {
      principalId: owner.objectId,
      roleName: "Owner",
      scope: `/subscriptions/${DEMO_SUBSCRIPTION}`,
    });
    b = await launchChromium();
    page = await b.browser.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
  });

  afterAll(async () => {
    await b?.close();
    await t?.dispose();
  });

  it("asks for a principal's credentials first, then shows what it may read, live", async () => {
    await page.goto(`${t.url}/`);
    const signIn = page.getByRole("dialog", { name: "Sign in" });
    await signIn.waitFor();
    await expect(signIn.getByLabel("Tenant ID").inputValue()).resolves.toBe(tenantId);
    await signIn.getByLabel("Client ID").fill(principal.appId);
    await signIn.getByLabel("Client secret").fill("not-the-secret");
    await signIn.getByRole("button", { name: "Sign in" }).click();
    await signIn.getByRole("alert").waitFor();
    expect(await signIn.getByRole("alert").innerText()).toMatch(/AADSTS7000215|secret/i);
    await signIn.getByLabel("Client secret").fill(principal.secret);
    await page.screenshot({ path: `${shots}/sign-in.png` });
    expect(await seriousViolations(page)).toEqual([]);
    await signIn.getByRole("button", { name: "Sign in" }).click();
    await signIn.waitFor({ state: "detached" });
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    await expect(page.getByText(`Signed in as ${principal.appId}`).isVisible()).resolves.toBe(true);
    const svg = page.getByRole("group", { name: /Network topology/ });
    for (const text of ["VNet1", "subnet1", "subnet2", "VM testvm0", "VM testvm1", DEMO_STORAGE_ACCOUNT])
      await svg.getByText(text, { exact: true }).first().waitFor();

    // Another client (an Owner through the SDK with its own credential) changes subnet1: it shows live.
    const credential = new ClientSecretCredential(tenantId, owner.appId, owner.secret, {
      authorityHost: t.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: t.ca },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    const network = new NetworkManagementClient(credential, DEMO_SUBSCRIPTION, {
      endpoint: t.url,
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    } as never);
    const s1 = await network.subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet1");
    await network.subnets.beginCreateOrUpdateAndWait(
      DEMO_RESOURCE_GROUP,
      "VNet1",
      "subnet1",
      { ...s1, serviceEndpoints: [...(s1.serviceEndpoints ?? []), { service: "Microsoft.Sql" }] },
      { updateIntervalInMs: 10 },
    );
    await page
      .getByRole("button", { name: /Subnet VNet1\/subnet1 .*endpoints Microsoft\.Storage, Microsoft\.Sql$/ })
      .waitFor({ timeout: 5000 });
  });

  it("writes what its roles allow (the subnet), and says which role is missing for the rest (the account)", async () => {
    await page.getByRole("button", { name: /Subnet VNet1\/subnet2/ }).click();
    const panel = page.getByRole("complementary", { name: "Subnet subnet2" });
    await panel.getByLabel("Microsoft.Storage", { exact: true }).check();
    await panel.getByRole("button", { name: "Review changes…" }).click();
    const dialog = page.getByRole("dialog", { name: /Preview: Service endpoints on subnet VNet1\/subnet2/ });
    await dialog
      .locator(".gained")
      .getByText(/testvm1 → lazuritedemo0sa: gains access/)
      .waitFor();
    await dialog.getByRole("button", { name: "Apply" }).click();
    await dialog.waitFor({ state: "detached" });
    const r = await t.fetch(
      "GET",
      `${RG}/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet2?api-version=2023-09-01`,
      undefined,
      {
        authorization: `Bearer ${await page.evaluate(() => (globalThis as any).sessionStorage.getItem("lazurite.token"))}`,
      },
    );
    expect(r.json.properties.serviceEndpoints.map((e: { service: string }) => e.service)).toEqual([
      "Microsoft.Storage",
    ]);
    expect(r.json.properties.addressPrefix).toBe("10.0.2.0/24");

    await page.getByRole("button", { name: "Close subnet panel" }).click();
    await page.getByRole("button", { name: /storageAccounts lazuritedemo0sa/ }).click();
    const net = page.getByRole("complementary", { name: `Networking of ${DEMO_STORAGE_ACCOUNT}` });
    await net.getByLabel("Subnet", { exact: true }).selectOption({ label: "subnet2 (10.0.2.0/24)" });
    await net.getByRole("button", { name: "Add existing virtual network" }).click();
    await net.getByRole("button", { name: "Save…" }).click();
    const refused = page.getByRole("dialog", { name: `Preview: Networking of ${DEMO_STORAGE_ACCOUNT}` });
    const alert = refused.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/Microsoft\.Storage\/storageAccounts\/write/);
    await expect(refused.getByRole("button", { name: "Apply" }).isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: `${shots}/strict-refused.png` });
    await refused.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("tab", { name: "Who can reach" }).click();
    await page.getByRole("button", { name: "testvm0 → lazuritedemo0sa: Allowed" }).waitFor();
  });

  it("no console errors but the wrong secret's 401 and the refused write's 403", () => {
    expect(consoleErrors.filter((e) => !/status of (401|403)/.test(e))).toEqual([]);
  });
});
