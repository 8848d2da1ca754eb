/**
 * Create, read, list, update and delete every Microsoft.Network type the control plane
 * serves, through the official @azure/arm-network 36 client over HTTPS (SE-RES-3).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, SUB, restError, startTestServer, type TestServer } from "./server.js";

let t: TestServer;
const RG = "e2e-net";
const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network`;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeAll(async () => {
  t = await startTestServer();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await t.network().virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    "hub",
    {
      location: "westus",
      addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
      subnets: [
        { name: "default", addressPrefix: "10.1.0.0/24" },
        { name: "GatewaySubnet", addressPrefix: "10.1.255.0/27" },
      ],
    },
    FAST,
  );
});
afterAll(async () => {
  await t?.dispose();
});

describe("SE-RES-3: network security groups and rules", () => {
  it("creates an NSG with Azure's six default rules, adds, lists and deletes rules", async () => {
    const net = t.network();
    const nsg = await net.networkSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "nsg1",
      {
        location: "westus",
        securityRules: [
          {
            name: "allow-ssh",
            protocol: "Tcp",
            access: "Allow",
            direction: "Inbound",
            priority: 100,
            sourceAddressPrefix: "Internet",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "22",
          },
        ],
      },
      FAST,
    );
    expect(nsg.defaultSecurityRules?.map((r) => r.name)).toEqual([
      "AllowVnetInBound",
      "AllowAzureLoadBalancerInBound",
      "DenyAllInBound",
      "AllowVnetOutBound",
      "AllowInternetOutBound",
      "DenyAllOutBound",
    ]);
    const rule = await net.securityRules.beginCreateOrUpdateAndWait(
      RG,
      "nsg1",
      "deny-internet",
      {
        protocol: "*",
        access: "Deny",
        direction: "Outbound",
        priority: 4000,
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: "Internet",
        destinationPortRange: "*",
      },
      FAST,
    );
    expect(rule.provisioningState).toBe("Succeeded");
    const storageRule = await net.securityRules.beginCreateOrUpdateAndWait(
      RG,
      "nsg1",
      "allow-storage",
      {
        protocol: "Tcp",
        access: "Allow",
        direction: "Outbound",
        priority: 3000,
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: "Storage.WestUS",
        destinationPortRanges: ["443", "445"],
      },
      FAST,
    );
    expect(storageRule.destinationPortRanges).toEqual(["443", "445"]);
    expect((await collect(net.securityRules.list(RG, "nsg1"))).map((r) => r.name)).toEqual([
      "allow-ssh",
      "deny-internet",
      "allow-storage",
    ]);
    expect((await net.defaultSecurityRules.get(RG, "nsg1", "DenyAllInBound")).priority).toBe(65500);
    expect(await collect(net.defaultSecurityRules.list(RG, "nsg1"))).toHaveLength(6);
    await net.securityRules.beginDeleteAndWait(RG, "nsg1", "deny-internet", FAST);
    expect((await net.networkSecurityGroups.get(RG, "nsg1")).securityRules?.map((r) => r.name)).toEqual([
      "allow-ssh",
      "allow-storage",
    ]);
    expect((await net.networkSecurityGroups.updateTags(RG, "nsg1", { tags: { a: "1" } })).tags).toEqual({
      a: "1",
    });
    expect((await collect(net.networkSecurityGroups.listAll())).map((n) => n.name)).toContain("nsg1");
  });

  it("back references: an NSG lists the subnets and NICs using it", async () => {
    const net = t.network();
    await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      "hub",
      "default",
      { addressPrefix: "10.1.0.0/24", networkSecurityGroup: { id: `${base}/networkSecurityGroups/nsg1` } },
      FAST,
    );
    const nsg = await net.networkSecurityGroups.get(RG, "nsg1");
    expect(nsg.subnets?.map((s) => s.id)).toEqual([`${base}/virtualNetworks/hub/subnets/default`]);
    const e = await restError(net.networkSecurityGroups.beginDeleteAndWait(RG, "nsg1", FAST));
    expect(e.code).toBe("InUseNetworkSecurityGroupCannotBeDeleted");
  });
});

describe("SE-RES-3: route tables and routes", () => {
  it("creates a route table, routes, attaches it to a subnet, and deletes them", async () => {
    const net = t.network();
    const rt = await net.routeTables.beginCreateOrUpdateAndWait(
      RG,
      "rt1",
      {
        location: "westus",
        routes: [
          {
            name: "to-nva",
            addressPrefix: "0.0.0.0/0",
            nextHopType: "VirtualAppliance",
            nextHopIpAddress: "10.1.0.4",
          },
        ],
      },
      FAST,
    );
    expect(rt.routes?.[0]?.nextHopIpAddress).toBe("10.1.0.4");
    expect(rt.disableBgpRoutePropagation).toBe(false);
    await net.routes.beginCreateOrUpdateAndWait(
      RG,
      "rt1",
      "blackhole",
      { addressPrefix: "192.168.0.0/16", nextHopType: "None" },
      FAST,
    );
    expect((await collect(net.routes.list(RG, "rt1"))).map((r) => r.name)).toEqual(["to-nva", "blackhole"]);
    expect((await net.routes.get(RG, "rt1", "blackhole")).nextHopType).toBe("None");
    await net.routes.beginDeleteAndWait(RG, "rt1", "blackhole", FAST);
    const subnet = await net.subnets.get(RG, "hub", "default");
    await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      "hub",
      "default",
      { ...subnet, routeTable: { id: rt.id } },
      FAST,
    );
    expect((await net.routeTables.get(RG, "rt1")).subnets?.map((s) => s.id)).toEqual([subnet.id]);
    expect((await restError(net.routeTables.beginDeleteAndWait(RG, "rt1", FAST))).code).toBe(
      "InUseRouteTableCannotBeDeleted",
    );
    expect((await collect(net.routeTables.list(RG))).map((r) => r.name)).toEqual(["rt1"]);
  });
});

describe("SE-RES-3: public IPs and network interfaces", () => {
  it("a public IP gets an address from AzureCloud.<region> of the catalog", async () => {
    const pip = await t
      .network()
      .publicIPAddresses.beginCreateOrUpdateAndWait(
        RG,
        "pip1",
        { location: "westus", publicIPAllocationMethod: "Static" },
        FAST,
      );
    expect(pip.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const tags = await t.network().serviceTags.list("westus");
    const cloud = tags.values?.find((v) => v.name?.toLowerCase() === "azurecloud.westus");
    expect(cloud?.properties?.region).toBe("westus");
    const containing = t.server.deps.serviceTags.tagsContaining(pip.ipAddress!).map((n) => n.toLowerCase());
    expect(containing).toContain("azurecloud.westus");
  });

  it("a NIC gets the first free address after the 5 reserved ones, back references on subnet and public IP", async () => {
    const net = t.network();
    const nic = await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      "nic1",
      {
        location: "westus",
        ipConfigurations: [
          {
            name: "ipconfig1",
            subnet: { id: `${base}/virtualNetworks/hub/subnets/default` },
            publicIPAddress: { id: `${base}/publicIPAddresses/pip1` },
          },
        ],
      },
      FAST,
    );
    expect(nic.ipConfigurations?.[0]?.privateIPAddress).toBe("10.1.0.4");
    expect(nic.ipConfigurations?.[0]?.privateIPAllocationMethod).toBe("Dynamic");
    const nic2 = await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      "nic2",
      {
        location: "westus",
        ipConfigurations: [
          {
            name: "ipconfig1",
            subnet: { id: `${base}/virtualNetworks/hub/subnets/default` },
            privateIPAllocationMethod: "Static",
            privateIPAddress: "10.1.0.10",
          },
        ],
        networkSecurityGroup: { id: `${base}/networkSecurityGroups/nsg1` },
      },
      FAST,
    );
    expect(nic2.ipConfigurations?.[0]?.privateIPAddress).toBe("10.1.0.10");
    const subnet = await net.subnets.get(RG, "hub", "default");
    expect(subnet.ipConfigurations?.map((c) => c.id)).toEqual([
      `${base}/networkInterfaces/nic1/ipConfigurations/ipconfig1`,
      `${base}/networkInterfaces/nic2/ipConfigurations/ipconfig1`,
    ]);
    expect((await net.publicIPAddresses.get(RG, "pip1")).ipConfiguration?.id).toBe(
      `${base}/networkInterfaces/nic1/ipConfigurations/ipconfig1`,
    );
    expect((await net.networkSecurityGroups.get(RG, "nsg1")).networkInterfaces?.map((n) => n.id)).toEqual([
      `${base}/networkInterfaces/nic2`,
    ]);
    expect((await net.networkInterfaceIPConfigurations.get(RG, "nic1", "ipconfig1")).privateIPAddress).toBe(
      "10.1.0.4",
    );
    expect(await collect(net.networkInterfaceIPConfigurations.list(RG, "nic1"))).toHaveLength(1);
    expect((await collect(net.networkInterfaces.list(RG))).map((n) => n.name)).toEqual(["nic1", "nic2"]);
    expect((await net.networkInterfaces.updateTags(RG, "nic1", { tags: { role: "web" } })).tags).toEqual({
      role: "web",
    });
  });

  it("deleting the NIC frees the subnet and the public IP", async () => {
    const net = t.network();
    expect((await restError(net.publicIPAddresses.beginDeleteAndWait(RG, "pip1", FAST))).code).toBe(
      "PublicIPAddressCannotBeDeleted",
    );
    await net.networkInterfaces.beginDeleteAndWait(RG, "nic1", FAST);
    expect((await net.publicIPAddresses.get(RG, "pip1")).ipConfiguration).toBeUndefined();
    await net.publicIPAddresses.beginDeleteAndWait(RG, "pip1", FAST);
    expect((await restError(net.publicIPAddresses.get(RG, "pip1"))).code).toBe("ResourceNotFound");
    expect((await net.subnets.get(RG, "hub", "default")).ipConfigurations?.map((c) => c.id)).toEqual([
      `${base}/networkInterfaces/nic2/ipConfigurations/ipconfig1`,
    ]);
  });
});

describe("SE-POL-1: service endpoint policies and definitions", () => {
  it("creates a policy with a definition, attaches it to a subnet, lists definitions", async () => {
    const net = t.network();
    const policy = await net.serviceEndpointPolicies.beginCreateOrUpdateAndWait(
      RG,
      "pol1",
      {
        location: "westus",
        serviceEndpointPolicyDefinitions: [
          {
            name: "storage",
            service: "Microsoft.Storage",
            serviceResources: [`/subscriptions/${SUB}/resourceGroups/${RG}`],
          },
        ],
      },
      FAST,
    );
    expect(policy.serviceEndpointPolicyDefinitions?.[0]?.service).toBe("Microsoft.Storage");
    await net.serviceEndpointPolicyDefinitions.beginCreateOrUpdateAndWait(
      RG,
      "pol1",
      "more",
      { service: "Microsoft.Storage", serviceResources: [`/subscriptions/${SUB}`] },
      FAST,
    );
    expect(
      (await collect(net.serviceEndpointPolicyDefinitions.listByResourceGroup(RG, "pol1"))).map(
        (d) => d.name,
      ),
    ).toEqual(["storage", "more"]);
    await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      "hub",
      "policed",
      {
        addressPrefix: "10.1.5.0/24",
        serviceEndpoints: [{ service: "Microsoft.Storage" }],
        serviceEndpointPolicies: [{ id: policy.id }],
      },
      FAST,
    );
    expect((await net.serviceEndpointPolicies.get(RG, "pol1")).subnets?.map((s) => s.id)).toEqual([
      `${base}/virtualNetworks/hub/subnets/policed`,
    ]);
    await net.serviceEndpointPolicyDefinitions.beginDeleteAndWait(RG, "pol1", "more", FAST);
    expect((await collect(net.serviceEndpointPolicies.listByResourceGroup(RG))).map((p) => p.name)).toEqual([
      "pol1",
    ]);
  });
});

describe("SE-SCN-1: virtual network peerings", () => {
  it("a peering is Initiated until the remote peers back, then Connected on both sides; deleting one side disconnects the other", async () => {
    const net = t.network();
    await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "spoke",
      { location: "westus", addressSpace: { addressPrefixes: ["10.2.0.0/16"] } },
      FAST,
    );
    const a = await net.virtualNetworkPeerings.beginCreateOrUpdateAndWait(
      RG,
      "hub",
      "hub-to-spoke",
      { remoteVirtualNetwork: { id: `${base}/virtualNetworks/spoke` }, allowForwardedTraffic: true },
      FAST,
    );
    expect(a.peeringState).toBe("Initiated");
    expect(a.remoteAddressSpace?.addressPrefixes).toEqual(["10.2.0.0/16"]);
    const b = await net.virtualNetworkPeerings.beginCreateOrUpdateAndWait(
      RG,
      "spoke",
      "spoke-to-hub",
      { remoteVirtualNetwork: { id: `${base}/virtualNetworks/hub` } },
      FAST,
    );
    expect(b.peeringState).toBe("Connected");
    expect((await net.virtualNetworkPeerings.get(RG, "hub", "hub-to-spoke")).peeringState).toBe("Connected");
    expect((await collect(net.virtualNetworkPeerings.list(RG, "hub"))).map((p) => p.name)).toEqual([
      "hub-to-spoke",
    ]);
    await net.virtualNetworkPeerings.beginDeleteAndWait(RG, "spoke", "spoke-to-hub", FAST);
    expect((await net.virtualNetworkPeerings.get(RG, "hub", "hub-to-spoke")).peeringState).toBe(
      "Disconnected",
    );
  });
});

describe("SE-ONP-1..2: gateways, connections and ExpressRoute circuits", () => {
  it("local network gateway, VPN gateway and an IPsec connection", async () => {
    const net = t.network();
    await net.publicIPAddresses.beginCreateOrUpdateAndWait(RG, "gw-pip", { location: "westus" }, FAST);
    const lgw = await net.localNetworkGateways.beginCreateOrUpdateAndWait(
      RG,
      "onprem",
      {
        location: "westus",
        gatewayIpAddress: "203.0.113.10",
        localNetworkAddressSpace: { addressPrefixes: ["192.168.0.0/16"] },
      },
      FAST,
    );
    expect(lgw.localNetworkAddressSpace?.addressPrefixes).toEqual(["192.168.0.0/16"]);
    const gw = await net.virtualNetworkGateways.beginCreateOrUpdateAndWait(
      RG,
      "vpngw",
      {
        location: "westus",
        gatewayType: "Vpn",
        vpnType: "RouteBased",
        ipConfigurations: [
          {
            name: "gwipconfig",
            subnet: { id: `${base}/virtualNetworks/hub/subnets/GatewaySubnet` },
            publicIPAddress: { id: `${base}/publicIPAddresses/gw-pip` },
          },
        ],
      },
      FAST,
    );
    expect(gw.gatewayType).toBe("Vpn");
    expect((await net.subnets.get(RG, "hub", "GatewaySubnet")).ipConfigurations?.[0]?.id).toBe(
      `${base}/virtualNetworkGateways/vpngw/ipConfigurations/gwipconfig`,
    );
    const conn = await net.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      "to-onprem",
      {
        location: "westus",
        connectionType: "IPsec",
        virtualNetworkGateway1: { id: gw.id! },
        localNetworkGateway2: { id: lgw.id! },
        sharedKey: "s3cret",
      },
      FAST,
    );
    expect(conn.connectionStatus).toBe("Connected");
    expect((await collect(net.virtualNetworkGatewayConnections.list(RG))).map((c) => c.name)).toEqual([
      "to-onprem",
    ]);
    expect((await collect(net.virtualNetworkGateways.list(RG))).map((g) => g.name)).toEqual(["vpngw"]);
    expect((await collect(net.localNetworkGateways.list(RG))).map((g) => g.name)).toEqual(["onprem"]);
    await net.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "to-onprem", FAST);
    await net.virtualNetworkGateways.beginDeleteAndWait(RG, "vpngw", FAST);
    await net.localNetworkGateways.beginDeleteAndWait(RG, "onprem", FAST);
    expect((await net.subnets.get(RG, "hub", "GatewaySubnet")).ipConfigurations ?? []).toEqual([]);
  });

  it("an ExpressRoute circuit with public peering gets two NAT addresses; Microsoft peering keeps its prefixes", async () => {
    const net = t.network();
    const circuit = await net.expressRouteCircuits.beginCreateOrUpdateAndWait(
      RG,
      "er1",
      {
        location: "westus",
        sku: { name: "Standard_MeteredData", tier: "Standard", family: "MeteredData" },
        serviceProviderProperties: {
          serviceProviderName: "Equinix",
          peeringLocation: "Silicon Valley",
          bandwidthInMbps: 200,
        },
        peerings: [
          {
            name: "AzurePublicPeering",
            peeringType: "AzurePublicPeering",
            peerASN: 65001,
            primaryPeerAddressPrefix: "192.0.2.0/30",
            secondaryPeerAddressPrefix: "192.0.2.4/30",
            vlanId: 100,
          },
        ],
      },
      FAST,
    );
    const pub = circuit.peerings?.[0] as unknown as Record<string, unknown>;
    expect(pub.peeringType).toBe("AzurePublicPeering");
    const raw = await t.fetch(
      "GET",
      `${base}/expressRouteCircuits/er1/peerings/AzurePublicPeering?api-version=2025-05-01`,
    );
    expect(raw.json.properties.natAddresses).toHaveLength(2);
    const ms = await net.expressRouteCircuitPeerings.beginCreateOrUpdateAndWait(
      RG,
      "er1",
      "MicrosoftPeering",
      {
        peeringType: "MicrosoftPeering",
        peerASN: 65002,
        vlanId: 200,
        primaryPeerAddressPrefix: "198.51.100.0/30",
        secondaryPeerAddressPrefix: "198.51.100.4/30",
        microsoftPeeringConfig: { advertisedPublicPrefixes: ["203.0.113.0/28"] },
      },
      FAST,
    );
    expect(ms.microsoftPeeringConfig?.advertisedPublicPrefixes).toEqual(["203.0.113.0/28"]);
    expect((await collect(net.expressRouteCircuitPeerings.list(RG, "er1"))).map((p) => p.name)).toEqual([
      "AzurePublicPeering",
      "MicrosoftPeering",
    ]);
    expect((await collect(net.expressRouteCircuits.listAll())).map((c) => c.name)).toEqual(["er1"]);
    await net.expressRouteCircuitPeerings.beginDeleteAndWait(RG, "er1", "MicrosoftPeering", FAST);
    await net.expressRouteCircuits.beginDeleteAndWait(RG, "er1", FAST);
    expect((await restError(net.expressRouteCircuits.get(RG, "er1"))).statusCode).toBe(404);
  });
});

describe("network watchers and location APIs", () => {
  it("creates, lists and deletes a network watcher", async () => {
    const net = t.network();
    const w = await net.networkWatchers.createOrUpdate(RG, "NetworkWatcher_westus", { location: "westus" });
    expect(w.provisioningState).toBe("Succeeded");
    expect((await collect(net.networkWatchers.listAll())).map((x) => x.name)).toEqual([
      "NetworkWatcher_westus",
    ]);
    await net.networkWatchers.beginDeleteAndWait(RG, "NetworkWatcher_westus", FAST);
    expect((await restError(net.networkWatchers.get(RG, "NetworkWatcher_westus"))).statusCode).toBe(404);
  });

  it("SE-CFG-3: virtualNetworkAvailableEndpointServices lists the endpoint services in Azure's order and shape", async () => {
    const list = await collect(t.network().availableEndpointServices.list("westus"));
    expect(list.slice(0, 3).map((s) => s.name)).toEqual([
      "Microsoft.Storage",
      "Microsoft.Sql",
      "Microsoft.AzureActiveDirectory",
    ]);
    expect(list.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "Microsoft.KeyVault",
        "Microsoft.AzureCosmosDB",
        "Microsoft.EventHub",
        "Microsoft.ServiceBus",
      ]),
    );
    expect(list[0]).toMatchObject({
      id: `/subscriptions/${SUB}/providers/Microsoft.Network/virtualNetworkEndpointServices/Microsoft.Storage`,
      type: "Microsoft.Network/virtualNetworkEndpointServices",
    });
  });

  it("serviceTags answers the loaded catalog in Azure's shape", async () => {
    const res = await t.network().serviceTags.list("westus");
    expect(res.cloud).toBe("Public");
    const storage = res.values?.find((v) => v.name === "Storage.WestUS");
    expect(storage?.properties?.region).toBe("westus");
    expect(storage?.properties?.addressPrefixes?.length).toBeGreaterThan(0);
  });
});

describe("application security groups (SE-NSG-1)", () => {
  it("NICs join groups, NSG rules name them, the engine decides by membership; a group in use cannot be deleted", async () => {
    const net = t.network();
    const web = await net.applicationSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "asg-web",
      { location: "westus", tags: { tier: "web" } },
      FAST,
    );
    expect(web.id).toBe(`${base}/applicationSecurityGroups/asg-web`);
    expect(web.provisioningState).toBe("Succeeded");
    expect(web.resourceGuid).toMatch(/^[0-9a-f-]{36}$/);
    await net.applicationSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "asg-db",
      { location: "westus" },
      FAST,
    );
    const listed = await collect(net.applicationSecurityGroups.list(RG));
    expect(listed.map((g) => g.name).sort()).toEqual(["asg-db", "asg-web"]);

    // Outbound HTTPS to the internet is denied for the web tier only.
    const nsg = await net.networkSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "asg-nsg",
      {
        location: "westus",
        securityRules: [
          {
            name: "deny-web-https-out",
            priority: 100,
            direction: "Outbound",
            access: "Deny",
            protocol: "Tcp",
            sourceApplicationSecurityGroups: [{ id: web.id }],
            sourcePortRange: "*",
            destinationAddressPrefix: "Internet",
            destinationPortRange: "443",
          },
        ],
      },
      FAST,
    );
    const vnet = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "asgnet",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.7.0.0/16"] },
        subnets: [{ name: "app", addressPrefix: "10.7.1.0/24", networkSecurityGroup: { id: nsg.id } }],
      },
      FAST,
    );
    const subnet = vnet.subnets![0]!.id!;
    const vms: string[] = [];
    for (const [name, groups] of [
      ["asg-in", [{ id: web.id }]],
      ["asg-out", []],
    ] as const) {
      const nic = await net.networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        `${name}-nic`,
        {
          location: "westus",
          ipConfigurations: [
            { name: "ipconfig1", subnet: { id: subnet }, applicationSecurityGroups: [...groups] },
          ],
        },
        FAST,
      );
      expect(nic.ipConfigurations![0]!.applicationSecurityGroups?.map((g) => g.id)).toEqual(
        groups.map((g) => g.id),
      );
      const vm = await t.compute().virtualMachines.beginCreateOrUpdateAndWait(
        RG,
        `${name}-vm`,
        {
          location: "westus",
          hardwareProfile: { vmSize: "Standard_B1s" },
          networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
        },
        FAST,
      );
      vms.push(vm.id!);
    }
    const check = async (from: string) =>
      (await t.fetch("POST", "/_emulator/check", { from, to: "8.8.8.8", port: 443 })).json;
    const inside = await check(vms[0]!);
    expect(inside.decision).toBe("Denied");
    expect(inside.blockers[0]).toMatchObject({
      kind: "NetworkSecurityGroup",
      rule: "securityRules/deny-web-https-out",
    });
    expect((await check(vms[1]!)).decision).toBe("Allowed");

    // Azure's effective rules expand the group to its members' addresses.
    const member = (await net.networkInterfaces.get(RG, "asg-in-nic")).ipConfigurations![0]!
      .privateIPAddress!;
    const effective = await net.networkInterfaces.beginListEffectiveNetworkSecurityGroupsAndWait(
      RG,
      "asg-out-nic",
      FAST,
    );
    const rule = effective.value![0]!.effectiveSecurityRules!.find(
      (r) => r.name === "securityRules/deny-web-https-out",
    );
    expect(rule?.expandedSourceAddressPrefix).toEqual([`${member}/32`]);

    // Named by an IP configuration and a rule: refused; asg-db, named by nothing, goes.
    const e = await restError(net.applicationSecurityGroups.beginDeleteAndWait(RG, "asg-web", FAST));
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("InUseApplicationSecurityGroupCannotBeDeleted");
    expect(e.message).toContain("ipconfig1");
    expect(e.message).toContain("deny-web-https-out");
    await net.applicationSecurityGroups.beginDeleteAndWait(RG, "asg-db", FAST);
    expect((await restError(net.applicationSecurityGroups.get(RG, "asg-db"))).statusCode).toBe(404);

    // A NIC cannot join a group that does not exist.
    const missing = await restError(
      net.networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        "asg-bad-nic",
        {
          location: "westus",
          ipConfigurations: [
            {
              name: "ipconfig1",
              subnet: { id: subnet },
              applicationSecurityGroups: [{ id: `${base}/applicationSecurityGroups/nope` }],
            },
          ],
        },
        FAST,
      ),
    );
    expect(missing.code).toBe("InvalidResourceReference");

    // The IPv4 configurations of a NIC name one set of groups.
    const split = await restError(
      net.networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        "asg-split-nic",
        {
          location: "westus",
          ipConfigurations: [
            { name: "a", primary: true, subnet: { id: subnet }, applicationSecurityGroups: [{ id: web.id }] },
            { name: "b", subnet: { id: subnet } },
          ],
        },
        FAST,
      ),
    );
    expect(split.code).toBe("AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups");
    expect(split.message).toContain("wheras IPConfiguration");

    // A rule's groups hold members of one VNet only.
    const far = await net.applicationSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "asg-far",
      { location: "westus" },
      FAST,
    );
    const farNet = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "asgnet2",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.8.0.0/16"] },
        subnets: [{ name: "s", addressPrefix: "10.8.1.0/24" }],
      },
      FAST,
    );
    await net.networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      "asg-far-nic",
      {
        location: "westus",
        ipConfigurations: [
          { name: "c", subnet: { id: farNet.subnets![0]!.id! }, applicationSecurityGroups: [{ id: far.id }] },
        ],
      },
      FAST,
    );
    const mixed = await restError(
      net.securityRules.beginCreateOrUpdateAndWait(
        RG,
        "asg-nsg",
        "web-to-far",
        {
          priority: 200,
          direction: "Outbound",
          access: "Allow",
          protocol: "Tcp",
          sourceApplicationSecurityGroups: [{ id: web.id }],
          destinationApplicationSecurityGroups: [{ id: far.id }],
          sourcePortRange: "*",
          destinationPortRange: "5432",
        },
        FAST,
      ),
    );
    expect(mixed.code).toBe("AllApplicationSecurityGroupsInSecurityRuleMustBeFromSameVnet");
    expect(mixed.message).toContain(vnet.id!);
    expect(mixed.message).toContain(farNet.id!);
  });
});
