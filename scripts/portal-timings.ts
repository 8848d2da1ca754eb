/**
 * The portal's two user-facing times, measured in Debian's Chromium against a real server:
 *
 * - page load: from navigation to the topology drawn (VNet1 visible), on the demo network and
 *   on a generated estate of 300 subnets with a NIC and a VM in each and 12 storage accounts;
 * - live change: from the moment an SDK write is sent (and from the moment it returns) to the
 *   open page showing it (a subnet's endpoint badge), through /_emulator/events.
 *
 *   npx tsx scripts/portal-timings.ts [--runs N] [--shots DIR]
 *
 * Prints JSON (milliseconds; medians and maxima over the runs). Needs the portal built
 * (`npm run build`) and /usr/bin/chromium (scripts/install-test-deps.sh).
 */
import { mkdirSync } from "node:fs";
import { loadResources } from "../src/arm/load.js";
import { DEMO_RESOURCE_GROUP, DEMO_SUBSCRIPTION } from "../src/demo/quickstart.js";
import type { ArmResource } from "../src/model/resources/common.js";
import { launchChromium } from "../test/e2e/browser.js";
import { startTestServer, tempDataDir } from "../test/e2e/server.js";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 5) || 5;
const shots = args.includes("--shots") ? args[args.indexOf("--shots") + 1] : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** 30 VNets × 10 subnets, a NIC and a VM in each subnet, 12 storage accounts naming some of them. */
function largeEstate(sub: string): ArmResource[] {
  const rg = `/subscriptions/${sub}/resourceGroups/estate`;
  const net = `${rg}/providers/Microsoft.Network`;
  const out: ArmResource[] = [];
  const subnetIds: string[] = [];
  for (let v = 0; v < 30; v++) {
    const vnet = `${net}/virtualNetworks/vnet${v}`;
    out.push({
      id: vnet,
      name: `vnet${v}`,
      type: "Microsoft.Network/virtualNetworks",
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: [`10.${v}.0.0/16`] },
        subnets: Array.from({ length: 10 }, (_, i) => {
          subnetIds.push(`${vnet}/subnets/s${i}`);
          return {
            id: `${vnet}/subnets/s${i}`,
            name: `s${i}`,
            properties: {
              addressPrefix: `10.${v}.${i}.0/24`,
              ...(i % 3 === 0 ? { serviceEndpoints: [{ service: "Microsoft.Storage" }] } : {}),
            },
          };
        }),
      },
    });
  }
  subnetIds.forEach((s, n) => {
    const nic = `${net}/networkInterfaces/nic${n}`;
    out.push(
      {
        id: nic,
        name: `nic${n}`,
        type: "Microsoft.Network/networkInterfaces",
        location: "westus",
        properties: {
          ipConfigurations: [
            { name: "ipconfig1", properties: { privateIPAllocationMethod: "Dynamic", subnet: { id: s } } },
          ],
        },
      },
      {
        id: `${rg}/providers/Microsoft.Compute/virtualMachines/vm${n}`,
        name: `vm${n}`,
        type: "Microsoft.Compute/virtualMachines",
        location: "westus",
        properties: {
          hardwareProfile: { vmSize: "Standard_A1" },
          networkProfile: { networkInterfaces: [{ id: nic }] },
        },
      },
    );
  });
  for (let a = 0; a < 12; a++)
    out.push({
      id: `${rg}/providers/Microsoft.Storage/storageAccounts/estate${a}sa`,
      name: `estate${a}sa`,
      type: "Microsoft.Storage/storageAccounts",
      location: "westus",
      sku: { name: "Standard_LRS" },
      kind: "StorageV2",
      properties: {
        networkAcls: {
          defaultAction: "Deny",
          bypass: "AzureServices",
          ipRules: [],
          // Subnets s0, s3, s6 carry the Storage endpoint (Azure refuses a rule for a subnet without it).
          virtualNetworkRules: [0, 1, 2].map((k) => ({
            id: subnetIds[((a * 5 + k * 11) % 30) * 10 + 3 * k]!,
            action: "Allow",
          })),
        },
      },
    } as ArmResource);
  return out;
}

async function main(): Promise<void> {
  const demo = await startTestServer({ flags: { demo: true } });
  const big = await startTestServer({ dataDir: tempDataDir() });
  await loadResources(big.server.deps, largeEstate(big.server.deps.tenancy.subscriptionId));
  const b = await launchChromium();
  try {
    const load = async (url: string, text: string) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const page = await b.browser.newPage();
        const t0 = performance.now();
        await page.goto(url);
        await page.getByText(text, { exact: true }).first().waitFor();
        times.push(performance.now() - t0);
        if (i === runs - 1 && shots) {
          mkdirSync(shots, { recursive: true });
          await page.screenshot({ path: `${shots}/${text}.png` });
        }
        await page.close();
      }
      return { medianMs: round(median(times)), maxMs: round(Math.max(...times)) };
    };
    const pageLoadDemo = await load(`${demo.url}/`, "VNet1");
    const pageLoad300 = await load(`${big.url}/`, "vnet29");

    // Live: toggle Key Vault on subnet1 through the SDK while the page is open.
    const page = await b.browser.newPage();
    await page.goto(`${demo.url}/`);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    const network = demo.network(DEMO_SUBSCRIPTION);
    const fromSend: number[] = [];
    const fromReturn: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s1 = await network.subnets.get(DEMO_RESOURCE_GROUP, "VNet1", "subnet1");
      const on = !(s1.serviceEndpoints ?? []).some((e) => e.service === "Microsoft.KeyVault");
      const endpoints = on
        ? [...(s1.serviceEndpoints ?? []), { service: "Microsoft.KeyVault" }]
        : (s1.serviceEndpoints ?? []).filter((e) => e.service !== "Microsoft.KeyVault");
      const shown = page.waitForFunction(
        (want) =>
          [...(globalThis as any).document.querySelectorAll('[role="button"]')].some((el: any) => {
            const label = el.getAttribute("aria-label") ?? "";
            return label.startsWith("Subnet VNet1/subnet1 ") && label.includes("Microsoft.KeyVault") === want;
          }),
        on,
        { polling: "raf" },
      );
      const t0 = performance.now();
      await network.subnets.beginCreateOrUpdateAndWait(
        DEMO_RESOURCE_GROUP,
        "VNet1",
        "subnet1",
        { ...s1, serviceEndpoints: endpoints },
        { updateIntervalInMs: 10 },
      );
      const t1 = performance.now();
      await shown;
      const t2 = performance.now();
      fromSend.push(t2 - t0);
      fromReturn.push(Math.max(0, t2 - t1));
    }
    console.log(
      JSON.stringify(
        {
          runs,
          pageLoadDemo,
          pageLoad300Subnets: pageLoad300,
          liveChange: {
            fromSdkSendMedianMs: round(median(fromSend)),
            fromSdkSendMaxMs: round(Math.max(...fromSend)),
            afterSdkReturnedMedianMs: round(median(fromReturn)),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await b.close();
    await demo.dispose();
    await big.dispose();
  }
}

await main();
