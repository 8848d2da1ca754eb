import { describe, expect, it } from "vitest";
import { parseResourceId } from "../../../model/resource-id.js";
import { namedIds, readActionOf } from "./visibility.js";

const RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg";
const NIC = `${RG}/providers/Microsoft.Network/networkInterfaces/nic0`;
const SA = `${RG}/providers/Microsoft.Storage/storageAccounts/sa1`;
const SUBNET = `${RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/app`;

describe("namedIds: every ARM id an answer names (what a strict-mode token must be able to read)", () => {
  it("finds ids in fields, inside flow texts and sentences, each once whatever its case", () => {
    const answer = {
      from: `onprem:10.0.0.1@${NIC}`,
      to: `${SA}#blob`,
      steps: [
        { resourceId: SUBNET, detail: `Subnet ${SUBNET}.` },
        { resourceId: SA.toUpperCase(), detail: "no id here" },
      ],
      port: 443,
    };
    expect(namedIds(answer)).toEqual([NIC, SA, SUBNET]);
  });

  it("names nothing in texts without ids, and stops at absurd depth instead of overflowing", () => {
    expect(namedIds({ to: "10.0.0.4", detail: "allowed by rule x" })).toEqual([]);
    let deep: unknown = NIC;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(namedIds(deep)).toEqual([]);
  });
});

describe("readActionOf: the action an ARM GET of the id checks", () => {
  it("resources, child resources, resource groups and subscriptions", () => {
    expect(readActionOf(parseResourceId(SUBNET))).toBe("Microsoft.Network/virtualNetworks/subnets/read");
    expect(readActionOf(parseResourceId(RG))).toBe("Microsoft.Resources/subscriptions/resourceGroups/read");
    expect(readActionOf(parseResourceId("/subscriptions/00000000-0000-0000-0000-000000000001"))).toBe(
      "Microsoft.Resources/subscriptions/read",
    );
  });
});
