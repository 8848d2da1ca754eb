import { describe, expect, it } from "vitest";
import { harness, net, rg } from "../../test/http/helpers.js";
import { newCtx } from "./arm.js";
import { allResources, isUpdating, readResource } from "./read.js";

describe("reads for dependants", () => {
  it("SE-CFG-6: a subnet whose operation runs is reported Updating to dependants; allResources lists stored resources", async () => {
    const h = await harness();
    try {
      await h.req("PUT", rg(), { location: "westus" });
      await h.put(`${net()}/virtualNetworks/v1`, {
        location: "westus",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: "s1", properties: { addressPrefix: "10.0.1.0/24" } }],
        },
      });
      const ctx = () =>
        newCtx(h.deps, {
          method: "GET",
          path: "/",
          query: {},
          apiVersion: "2025-05-01",
          body: undefined,
          baseUrl: "https://x",
        });
      const subnetId = `${net()}/virtualNetworks/v1/subnets/s1`;
      expect(await isUpdating(ctx(), subnetId)).toBe(false);
      await h.req("PUT", subnetId, {
        properties: { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
      });
      expect(await isUpdating(ctx(), subnetId)).toBe(true);
      expect((await readResource(ctx(), subnetId))?.properties.serviceEndpoints).toHaveLength(1);
      expect(await readResource(ctx(), `${net()}/virtualNetworks/v1/subnets/none`)).toBeUndefined();
      expect((await allResources(h.deps.store)).map((r) => r.name)).toEqual(["v1"]);
    } finally {
      await h.close();
    }
  });
});
