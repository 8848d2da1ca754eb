/**
 * Strict auth mode end to end: @azure/identity's ClientSecretCredential against Lazurite's
 * own authority (discovery + token endpoint on the same HTTPS server), and the official ARM
 * clients (arm-network, arm-resources, arm-authorization, arm-storage when Microsoft.Storage
 * is served) authorised by role assignments.
 */
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import { StorageManagementClient } from "@azure/arm-storage";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCtx } from "../../src/arm/arm.js";
import { authorizeSubnetJoin, JOIN_VIA_SERVICE_ENDPOINT, type Caller } from "../../src/arm/authz.js";
import { defaultKinds } from "../../src/arm/catalog.js";
import {
  NETWORK_CONTRIBUTOR,
  OWNER,
  STORAGE_ACCOUNT_CONTRIBUTOR,
} from "../../src/arm/providers/authorization/built-in-roles.js";
import { restError, startTestServer, type TestServer } from "./server.js";

const TENANT_A = "72f988bf-0000-0000-0000-000000000001"; // the default tenant
const TENANT_B = "b0b0b0b0-0000-4000-8000-00000000000b";
const SUB_A = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa";
const SUB_B = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";
const FAST = { updateIntervalInMs: 10 };
const RG = "rbac";
const RG_B = "tenant-b";
const VNET = `/subscriptions/${SUB_A}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`;
const SUBNET = `${VNET}/subnets/app`;
const SUBNET_B = `/subscriptions/${SUB_B}/resourceGroups/${RG_B}/providers/Microsoft.Network/virtualNetworks/vnetb/subnets/app`;
const ACCOUNT = `/subscriptions/${SUB_A}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/rbacsa1`;
const storageServed = defaultKinds().byType("Microsoft.Storage/storageAccounts") !== undefined;

interface Sp {
  appId: string;
  objectId: string;
  secret: string;
  tenantId: string;
}

let t: TestServer;
let admin: Sp;
let netSp: Sp;
let storageSp: Sp;
let spB: Sp;

function credentialOf(sp: Sp): ClientSecretCredential {
  return new ClientSecretCredential(sp.tenantId, sp.appId, sp.secret, {
    authorityHost: t.url,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: t.ca },
  } as ConstructorParameters<typeof ClientSecretCredential>[3]);
}

function opts() {
  return { endpoint: t.url, tlsOptions: { ca: t.ca }, retryOptions: { maxRetries: 0 } };
}
const network = (sp: Sp, sub = SUB_A) => new NetworkManagementClient(credentialOf(sp), sub, opts());
const resources = (sp: Sp, sub = SUB_A) => new ResourceManagementClient(credentialOf(sp), sub, opts());
const authorization = (sp: Sp, sub = SUB_A) =>
  new AuthorizationManagementClient(credentialOf(sp), sub, opts());
const storage = (sp: Sp, sub = SUB_A) =>
  new StorageManagementClient(credentialOf(sp), sub, {
    ...opts(),
    credentials: { scopes: [`${t.url}/.default`] },
  } as never);

async function admin200(method: string, path: string, body?: unknown): Promise<any> {
  const r = await t.fetch(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

async function newSp(tenantId: string, appId: string, name: string): Promise<Sp> {
  const r = await admin200("PUT", `/_emulator/tenants/${tenantId}/servicePrincipals/${appId}`, {
    displayName: name,
  });
  return { appId, objectId: r.objectId, secret: r.secret, tenantId };
}

/** A token for a principal, straight from the token endpoint (as ClientSecretCredential would get it). */
async function tokenOf(sp: Sp, scope = `${t.url}/.default`): Promise<string> {
  return (await credentialOf(sp).getToken(scope))!.token;
}

/** A raw ARM call with a given Authorization header (or none). */
function raw(path: string, authorization?: string) {
  return t.fetch(
    "GET",
    path,
    undefined,
    authorization === undefined ? { authorization: "" } : { authorization },
  );
}

beforeAll(async () => {
  t = await startTestServer({ flags: { auth: "strict" } });
  await admin200("PUT", `/_emulator/tenants/${TENANT_A}/subscriptions/${SUB_A}`, { displayName: "A" });
  await admin200("PUT", `/_emulator/tenants/${TENANT_B}`, { displayName: "Contoso B" });
  await admin200("PUT", `/_emulator/tenants/${TENANT_B}/subscriptions/${SUB_B}`, { displayName: "B" });
  admin = await newSp(TENANT_A, "a0000000-0000-4000-8000-0000000000a1", "admin");
  netSp = await newSp(TENANT_A, "a0000000-0000-4000-8000-0000000000a2", "network-operator");
  storageSp = await newSp(TENANT_A, "a0000000-0000-4000-8000-0000000000a3", "storage-operator");
  spB = await newSp(TENANT_B, "b0000000-0000-4000-8000-0000000000b1", "admin-b");
  await admin200("POST", `/_emulator/tenants/${TENANT_A}/roleAssignments`, {
    principalId: admin.objectId,
    roleName: "Owner",
    scope: `/subscriptions/${SUB_A}`,
  });
  await admin200("POST", `/_emulator/tenants/${TENANT_B}/roleAssignments`, {
    principalId: spB.objectId,
    roleName: "Owner",
    scope: `/subscriptions/${SUB_B}`,
  });

  // The Owner of A builds the network through the SDKs with a real credential.
  await resources(admin).resourceGroups.createOrUpdate(RG, { location: "westus" });
  await network(admin).virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    "vnet1",
    {
      location: "westus",
      addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
      subnets: [{ name: "app", addressPrefix: "10.1.1.0/24" }],
    },
    FAST,
  );
  // Tenant B has its own network.
  await resources(spB, SUB_B).resourceGroups.createOrUpdate(RG_B, { location: "westus" });
  await network(spB, SUB_B).virtualNetworks.beginCreateOrUpdateAndWait(
    RG_B,
    "vnetb",
    {
      location: "westus",
      addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
      subnets: [
        { name: "app", addressPrefix: "10.9.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
      ],
    },
    FAST,
  );
});

afterAll(async () => {
  await t?.dispose();
});

describe("identity: Lazurite as the authority of @azure/identity (strict mode)", () => {
  it("ClientSecretCredential gets an RS256 token for its tenant from the OpenID discovery + token endpoint", async () => {
    const token = await tokenOf(admin);
    const [h, p] = token
      .split(".")
      .slice(0, 2)
      .map((x) => JSON.parse(Buffer.from(x, "base64url").toString("utf8")));
    expect(h).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(p).toMatchObject({
      tid: TENANT_A,
      oid: admin.objectId,
      appid: admin.appId,
      idtyp: "app",
      aud: t.url,
      iss: `${t.url}/${TENANT_A}/`,
      ver: "1.0",
    });
    const jwks = await admin200("GET", `/${TENANT_A}/discovery/v2.0/keys`);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", kid: h.kid, alg: "RS256", use: "sig" });
  });

  it("a wrong client secret is refused by the token endpoint with Azure AD's AADSTS7000215", async () => {
    const bad = new ClientSecretCredential(TENANT_A, admin.appId, "not-the-secret", {
      authorityHost: t.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: t.ca },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    await expect(bad.getToken(`${t.url}/.default`)).rejects.toThrow(/AADSTS7000215/);
    // The app exists in tenant A only: asking tenant B's authority is AADSTS700016.
    const wrongTenant = new ClientSecretCredential(TENANT_B, admin.appId, admin.secret, {
      authorityHost: t.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: t.ca },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    await expect(wrongTenant.getToken(`${t.url}/.default`)).rejects.toThrow(/AADSTS700016/);
  });
});

describe("identity: token errors in ARM's shape", () => {
  it("no token: 401 AuthenticationFailed with a challenge naming the subscription tenant's authority", async () => {
    const r = await raw(`/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`);
    expect(r.status).toBe(401);
    expect(r.json.error).toEqual({
      code: "AuthenticationFailed",
      message: "Authentication failed. The 'Authorization' header is missing.",
    });
    expect(r.headers.get("www-authenticate")).toBe(
      `Bearer authorization_uri="${t.url}/${TENANT_A}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
    );
  });

  it("an unsigned token (alg none) and a token with a forged signature: 401 InvalidAuthenticationToken", async () => {
    const token = await tokenOf(admin);
    const [h, p, s] = token.split(".");
    const unsigned = `${Buffer.from(JSON.stringify({ typ: "JWT", alg: "none" })).toString("base64url")}.${p}.`;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), oid: netSp.objectId })).toString("base64url")}.${s}`;
    for (const bad of [unsigned, forged, "not-a-jwt"]) {
      const r = await raw(`/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`, `Bearer ${bad}`);
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe("InvalidAuthenticationToken");
      expect(r.headers.get("www-authenticate")).toMatch(
        /^Bearer authorization_uri=".*", error="invalid_token"/,
      );
    }
  });

  it("an expired token: 401 ExpiredAuthenticationToken with both times in ARM's format", async () => {
    const principal = (await t.server.identity.getPrincipal(TENANT_A, admin.objectId))!;
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = t.server.identity.signAccessToken(t.url, principal, {
      iat: hourAgo - 3600,
      nbf: hourAgo - 3600,
      exp: hourAgo,
    });
    const r = await raw(`/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`, `Bearer ${expired}`);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe("ExpiredAuthenticationToken");
    expect(r.json.error.message).toMatch(
      /^The access token expiry UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M' is earlier than current UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M'\.$/,
    );
  });

  it("a token for another resource: 401 InvalidAuthenticationTokenAudience listing the allowed audiences", async () => {
    const vaultToken = await tokenOf(admin, "https://vault.azure.net/.default");
    const r = await raw(
      `/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`,
      `Bearer ${vaultToken}`,
    );
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe("InvalidAuthenticationTokenAudience");
    expect(r.json.error.message).toBe(
      `The access token has been obtained for wrong audience or resource 'https://vault.azure.net'. It should exactly match with one of the allowed audiences '${t.url}/','${t.url}','https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.`,
    );
    // ARM's public audience is accepted (the modular arm-storage client asks for it by default).
    const armToken = await tokenOf(admin, "https://management.azure.com/.default");
    expect(
      (await raw(`/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`, `Bearer ${armToken}`))
        .status,
    ).toBe(200);
  });

  it("a token of tenant B on a subscription of tenant A: 401 InvalidAuthenticationTokenTenant (SDK sees the RestError)", async () => {
    const e = await restError(network(spB, SUB_A).virtualNetworks.get(RG, "vnet1"));
    expect(e.statusCode).toBe(401);
    expect(e.code).toBe("InvalidAuthenticationTokenTenant");
    expect(e.message).toBe(
      `The access token is from the wrong issuer '${t.url}/${TENANT_B}/'. It must match the tenant '${t.url}/${TENANT_A}/' associated with this subscription. Please use the authority (URL) '${t.url}/${TENANT_A}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    );
    const r = await raw(
      `/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`,
      `Bearer ${await tokenOf(spB)}`,
    );
    expect(r.headers.get("www-authenticate")).toContain(`authorization_uri="${t.url}/${TENANT_A}"`);
  });

  it("strict mode registers no subscription on first use: an unknown id is 404 SubscriptionNotFound", async () => {
    const unknown = "cccccccc-3333-4333-8333-cccccccccccc";
    const e = await restError(
      resources(admin, unknown).resourceGroups.createOrUpdate("x", { location: "westus" }),
    );
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("SubscriptionNotFound");
    expect(e.message).toBe(`The subscription '${unknown}' could not be found.`);
  });
});

describe("identity: RBAC on every ARM operation", () => {
  beforeAll(async () => {
    // The Owner grants Network Contributor on the VNet only, through @azure/arm-authorization.
    const created = await authorization(admin).roleAssignments.create(
      VNET,
      "0d9a0000-0000-4000-8000-000000000001",
      {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`,
        principalId: netSp.objectId,
        principalType: "ServicePrincipal",
      },
    );
    expect(created.scope).toBe(VNET);
  });

  it("SE-CFG-5: a principal with Network Contributor on the VNet enables service endpoints on its subnet", async () => {
    const subnet = await network(netSp).subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      "app",
      { addressPrefix: "10.1.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
      FAST,
    );
    expect(subnet.serviceEndpoints?.map((e) => e.service)).toEqual(["Microsoft.Storage"]);
    expect(subnet.provisioningState).toBe("Succeeded");
    expect(
      (await network(netSp).virtualNetworks.get(RG, "vnet1")).subnets?.[0]?.serviceEndpoints?.length,
    ).toBe(1);
  });

  it("outside its scope the same principal gets 403 AuthorizationFailed in Azure's wording", async () => {
    const e = await restError(
      network(netSp).virtualNetworks.beginCreateOrUpdateAndWait(
        RG,
        "vnet2",
        { location: "westus", addressSpace: { addressPrefixes: ["10.2.0.0/16"] } },
        FAST,
      ),
    );
    expect(e.statusCode).toBe(403);
    expect(e.code).toBe("AuthorizationFailed");
    expect(e.message).toBe(
      `The client '${netSp.appId}' with object id '${netSp.objectId}' does not have authorization to perform action 'Microsoft.Network/virtualNetworks/write' over scope '/subscriptions/${SUB_A}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet2' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    // Reading the resource group needs its own read action (the VNet assignment does not reach up).
    const rg = await restError(resources(netSp).resourceGroups.get(RG));
    expect(rg.code).toBe("AuthorizationFailed");
    expect(rg.message).toContain("'Microsoft.Resources/subscriptions/resourceGroups/read'");
    // A refused write changed nothing.
    expect((await restError(network(admin).virtualNetworks.get(RG, "vnet2"))).statusCode).toBe(404);
  });

  it("Contributor may build but not grant access (notActions on Microsoft.Authorization/*/Write)", async () => {
    const contributor = await newSp(TENANT_A, "a0000000-0000-4000-8000-0000000000a4", "contributor");
    await authorization(admin).roleAssignments.create(
      `/subscriptions/${SUB_A}/resourceGroups/${RG}`,
      "0d9a0000-0000-4000-8000-000000000004",
      {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
        principalId: contributor.objectId,
      },
    );
    await network(contributor).networkSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "nsg1",
      { location: "westus" },
      FAST,
    );
    const e = await restError(
      authorization(contributor).roleAssignments.create(VNET, "0d9a0000-0000-4000-8000-000000000005", {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
        principalId: contributor.objectId,
      }),
    );
    expect(e.statusCode).toBe(403);
    expect(e.message).toContain("'Microsoft.Authorization/roleAssignments/write'");
  });

  it("lists show what the caller can see: resource groups and subscriptions are filtered", async () => {
    await resources(admin).resourceGroups.createOrUpdate("other", { location: "westus" });
    const groups: string[] = [];
    for await (const g of resources(netSp).resourceGroups.list()) groups.push(g.name!);
    expect(groups).toEqual([RG]); // the VNet assignment makes its group visible, not "other"
    const all: string[] = [];
    for await (const g of resources(admin).resourceGroups.list()) all.push(g.name!);
    expect(all.sort()).toEqual(["other", RG].sort());
    const subs = await raw(`/subscriptions?api-version=2019-11-01`, `Bearer ${await tokenOf(netSp)}`);
    expect(subs.json.value.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([SUB_A]);
  });

  it("@azure/arm-authorization reads the built-in roles with their real ids, and filters by role name", async () => {
    const found = [];
    for await (const r of authorization(admin).roleDefinitions.list(`/subscriptions/${SUB_A}`, {
      filter: "roleName eq 'Storage Account Contributor'",
    }))
      found.push(r);
    expect(found).toHaveLength(1);
    expect(found[0]!.name).toBe(STORAGE_ACCOUNT_CONTRIBUTOR);
    expect(found[0]!.id).toBe(
      `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_ACCOUNT_CONTRIBUTOR}`,
    );
    expect(found[0]!.permissions?.[0]?.actions).toContain(JOIN_VIA_SERVICE_ENDPOINT);
    const mine = [];
    for await (const a of authorization(admin).roleAssignments.listForSubscription({
      filter: `principalId eq '${netSp.objectId}'`,
    }))
      mine.push(a);
    expect(mine.map((a) => a.scope)).toEqual([VNET]);
  });
});

/** What a strict-mode ARM request of `sp` carries as its caller (for the in-process checks). */
function callerOf(sp: Sp): Caller {
  return { kind: "servicePrincipal", tenantId: sp.tenantId, objectId: sp.objectId, clientName: sp.appId };
}

function strictCtx(sp: Sp) {
  return newCtx(t.server.deps, {
    method: "PATCH",
    path: ACCOUNT,
    query: {},
    apiVersion: "2023-05-01",
    body: undefined,
    baseUrl: t.url,
    caller: callerOf(sp),
  });
}

describe("identity: joining a subnet from a service's VNet rule (SE-ACL-3, SE-ACL-4)", () => {
  const JOINER = "5e1ec700-0000-4000-8000-00000000j01n".replace("j01n", "0001");

  beforeAll(async () => {
    // Storage Account Contributor on the account's resource group only (the account itself once Storage is served).
    await authorization(admin).roleAssignments.create(
      `/subscriptions/${SUB_A}/resourceGroups/${RG}`,
      "0d9a0000-0000-4000-8000-000000000002",
      {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_ACCOUNT_CONTRIBUTOR}`,
        principalId: storageSp.objectId,
      },
    );
  });

  it("SE-ACL-3: Storage Account Contributor without rights on the subnet's network gets LinkedAuthorizationFailed naming the action and the subnet", async () => {
    // The subnet lives in another resource group: the contributor's assignment does not reach it.
    await resources(admin).resourceGroups.createOrUpdate("net", { location: "westus" });
    await network(admin).virtualNetworks.beginCreateOrUpdateAndWait(
      "net",
      "hub",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.3.0.0/16"] },
        subnets: [
          {
            name: "data",
            addressPrefix: "10.3.1.0/24",
            serviceEndpoints: [{ service: "Microsoft.Storage" }],
          },
        ],
      },
      FAST,
    );
    const hubSubnet = `/subscriptions/${SUB_A}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/data`;
    const err = await authorizeSubnetJoin(
      strictCtx(storageSp),
      "Microsoft.Storage/storageAccounts/write",
      ACCOUNT,
      [hubSubnet],
    ).then(
      () => undefined,
      (e: { status: number; code: string; message: string }) => e,
    );
    expect(err?.status).toBe(403);
    expect(err?.code).toBe("LinkedAuthorizationFailed");
    expect(err?.message).toBe(
      `The client '${storageSp.appId}' with object id '${storageSp.objectId}' has permission to perform action 'Microsoft.Storage/storageAccounts/write' on scope '${ACCOUNT}'; however, it does not have permission to perform action '${JOIN_VIA_SERVICE_ENDPOINT}' on the linked scope(s) '${hubSubnet}' or the linked scope(s) are invalid.`,
    );

    // A custom role granting only the join action, assigned on that subnet, lifts the refusal.
    const role = await authorization(admin).roleDefinitions.createOrUpdate(
      `/subscriptions/${SUB_A}`,
      JOINER,
      {
        roleName: "Subnet Joiner",
        description: "Join service resources to subnets over service endpoints.",
        roleType: "CustomRole",
        permissions: [{ actions: [JOIN_VIA_SERVICE_ENDPOINT], notActions: [] }],
        assignableScopes: [`/subscriptions/${SUB_A}`],
      },
    );
    expect(role.roleType).toBe("CustomRole");
    await authorization(admin).roleAssignments.create(hubSubnet, "0d9a0000-0000-4000-8000-000000000003", {
      roleDefinitionId: role.id!,
      principalId: storageSp.objectId,
    });
    await expect(
      authorizeSubnetJoin(strictCtx(storageSp), "Microsoft.Storage/storageAccounts/write", ACCOUNT, [
        hubSubnet,
      ]),
    ).resolves.toBeUndefined();
    // The write itself still needs its own action: the network operator may join but not write storage.
    const noWrite = await authorizeSubnetJoin(
      strictCtx(netSp),
      "Microsoft.Storage/storageAccounts/write",
      ACCOUNT,
      [SUBNET],
    ).catch((e: { code: string }) => e);
    expect((noWrite as { code: string }).code).toBe("AuthorizationFailed");
  });

  it("SE-ACL-4: a subnet in a subscription of another tenant is refused with the linked-subscription message, even for an Owner", async () => {
    const err = await authorizeSubnetJoin(
      strictCtx(admin),
      "Microsoft.Storage/storageAccounts/write",
      ACCOUNT,
      [SUBNET_B],
    ).catch((e: { status: number; code: string; message: string }) => e);
    expect(err).toMatchObject({ status: 403, code: "LinkedAuthorizationFailed" });
    expect((err as { message: string }).message).toBe(
      `The client has permission to perform action 'Microsoft.Storage/storageAccounts/write' on scope '${ACCOUNT}', however the current tenant '${TENANT_A}' is not authorized to access linked subscription '${SUB_B}'.`,
    );
  });

  it.runIf(storageServed)(
    "SE-ACL-3 through @azure/arm-storage: the VNet rule is refused until the join action is granted on the subnet",
    async () => {
      const account = await storage(admin).storageAccounts.create(RG, "rbacsa2", {
        sku: { name: "Standard_LRS" },
        kind: "StorageV2",
        location: "westus",
      } as never);
      expect(account.name).toBe("rbacsa2");
      const rule = {
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ virtualNetworkResourceId: SUBNET, action: "Allow" }],
        },
      };
      const sp = await newSp(TENANT_A, "a0000000-0000-4000-8000-0000000000a5", "storage-only");
      const accountId = `/subscriptions/${SUB_A}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/rbacsa2`;
      await authorization(admin).roleAssignments.create(accountId, "0d9a0000-0000-4000-8000-000000000006", {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_ACCOUNT_CONTRIBUTOR}`,
        principalId: sp.objectId,
      });
      const e = await restError(storage(sp).storageAccounts.update(RG, "rbacsa2", rule as never));
      expect(e.statusCode).toBe(403);
      expect(e.code).toBe("LinkedAuthorizationFailed");
      expect(e.message).toContain(`'${JOIN_VIA_SERVICE_ENDPOINT}' on the linked scope(s) '${SUBNET}'`);
      await authorization(admin).roleAssignments.create(SUBNET, "0d9a0000-0000-4000-8000-000000000007", {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${JOINER}`,
        principalId: sp.objectId,
      });
      const updated = await storage(sp).storageAccounts.update(RG, "rbacsa2", rule as never);
      expect(
        updated.networkRuleSet?.virtualNetworkRules?.map((r) => r.virtualNetworkResourceId?.toLowerCase()),
      ).toEqual([SUBNET.toLowerCase()]);
      // SE-ACL-4 through the SDK: the Owner of A cannot name tenant B's subnet.
      const cross = await restError(
        storage(admin).storageAccounts.update(RG, "rbacsa2", {
          networkRuleSet: {
            defaultAction: "Deny",
            virtualNetworkRules: [{ virtualNetworkResourceId: SUBNET_B, action: "Allow" }],
          },
        } as never),
      );
      expect(cross.code).toBe("LinkedAuthorizationFailed");
      expect(cross.message).toContain(`is not authorized to access linked subscription '${SUB_B}'`);
    },
  );
});

describe("identity: tenant isolation", () => {
  it("a principal of tenant B neither lists nor reads anything of tenant A", async () => {
    const tokenB = await tokenOf(spB);
    const subs = await raw(`/subscriptions?api-version=2019-11-01`, `Bearer ${tokenB}`);
    expect(subs.json.value.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([SUB_B]);
    const tenants = await raw(`/tenants?api-version=2020-01-01`, `Bearer ${tokenB}`);
    expect(tenants.json.value.map((x: { tenantId: string }) => x.tenantId)).toEqual([TENANT_B]);
    for (const path of [
      `/subscriptions/${SUB_A}?api-version=2020-01-01`,
      `/subscriptions/${SUB_A}/resources?api-version=2021-04-01`,
      `/subscriptions/${SUB_A}/providers/Microsoft.Network/virtualNetworks?api-version=2024-05-01`,
      `${VNET}?api-version=2024-05-01`,
      `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`,
    ]) {
      const r = await raw(path, `Bearer ${tokenB}`);
      expect([path, r.status, r.json?.error?.code]).toEqual([path, 401, "InvalidAuthenticationTokenTenant"]);
    }
    // Tenant B's own world is intact, and tenant A's Owner does not see it either.
    const own: string[] = [];
    for await (const v of network(spB, SUB_B).virtualNetworks.listAll()) own.push(v.name!);
    expect(own).toEqual(["vnetb"]);
    const subsA = await raw(`/subscriptions?api-version=2019-11-01`, `Bearer ${await tokenOf(admin)}`);
    expect(subsA.json.value.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([SUB_A]);
  });

  it("role assignments cannot cross tenants: tenant B's principal is not found in tenant A's directory", async () => {
    const e = await restError(
      authorization(admin).roleAssignments.create(VNET, "0d9a0000-0000-4000-8000-000000000009", {
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
        principalId: spB.objectId,
      }),
    );
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe("PrincipalNotFound");
  });
});
