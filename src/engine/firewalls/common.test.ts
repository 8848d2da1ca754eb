import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseAddress, type Address } from "../../model/ip.js";
import {
  CompiledFirewall,
  cidrInterval,
  ipRule,
  rangeInterval,
  type FirewallPolicy,
  type IpRuleView,
} from "./common.js";
import { evaluateStorageFirewall } from "./storage.js";
import { normalizeStorageAccount } from "../../model/resources/storage-account.js";

function policyWith(ipRules: IpRuleView[]): FirewallPolicy {
  return {
    label: "test",
    endpointService: "Microsoft.Storage",
    locked: true,
    unlocked: { detail: "" },
    lockedBy: "locked",
    vnetRules: [],
    ipRules,
    exceptions: [],
    denyRule: () => "deny",
    error: () => ({ code: "E", message: "m" }),
    fix: {
      addVnetRule: () => ({ reason: "r", fix: "f" }),
      readdVnetRule: () => ({ reason: "r", fix: "f" }),
    },
  };
}

describe("compiled firewall IP rules", () => {
  it("SE-ACL-1: the first IP rule in list order that contains the source is the one reported (segment index = linear scan)", () => {
    const rule = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 4096 }), fc.boolean())
      .map(([lo, span, reversed]) => ({
        lo: reversed ? Math.min(0xffffffff, lo + span) : lo,
        hi: reversed ? lo : Math.min(0xffffffff, lo + span),
      }));
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 30 }),
        (rules, extra) => {
          const views = rules.map((r, i) =>
            ipRule(`r${i}`, `${r.lo}-${r.hi}`, { family: 4, lo: r.lo, hi: r.hi }),
          );
          const fw = new CompiledFirewall(policyWith(views));
          const probes = [...extra, ...rules.flatMap((r) => [r.lo, r.hi, r.lo - 1, r.hi + 1])].filter(
            (v) => v >= 0 && v <= 0xffffffff,
          );
          for (const v of probes) {
            const a: Address = { family: 4, value: v };
            const want = rules.findIndex((r) => r.lo <= v && v <= r.hi);
            expect(fw.firstIpRule(a)).toBe(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("mixes IPv4 and IPv6 rules and parses CIDRs (host bits ignored) and ranges", () => {
    const views = [
      ipRule("a", "2001:db8::/32", cidrInterval("2001:db8::/32")!),
      ipRule("b", "203.0.113.7/24", cidrInterval("203.0.113.7/24")!),
      ipRule("c", "203.0.113.9", cidrInterval("203.0.113.9")!),
      ipRule("d", "198.51.100.1-198.51.100.9", rangeInterval("198.51.100.1", "198.51.100.9")!),
    ];
    const fw = new CompiledFirewall(policyWith(views));
    expect(fw.firstIpRule(parseAddress("203.0.113.9"))).toBe(1);
    expect(fw.firstIpRule(parseAddress("203.0.114.0"))).toBe(-1);
    expect(fw.firstIpRule(parseAddress("198.51.100.9"))).toBe(3);
    expect(fw.firstIpRule(parseAddress("198.51.100.10"))).toBe(-1);
    expect(fw.firstIpRule(parseAddress("2001:db8::1"))).toBe(0);
    expect(fw.firstIpRule(parseAddress("2001:db9::1"))).toBe(-1);
    expect(rangeInterval("1.2.3.4", "2001:db8::1")).toBeUndefined();
    expect(cidrInterval("nope")).toBeUndefined();
  });

  it("SE-ACL-1: a storage account reports the first listed IP rule when several contain the source", () => {
    const account = normalizeStorageAccount({
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
      name: "acct",
      type: "Microsoft.Storage/storageAccounts",
      location: "westus",
      properties: {
        networkAcls: {
          defaultAction: "Deny",
          bypass: "None",
          ipRules: [{ value: "8.8.0.0/16" }, { value: "8.8.8.8" }],
        },
      },
    });
    const r = evaluateStorageFirewall({
      resource: account,
      children: [],
      sourceAddress: parseAddress("8.8.8.8"),
      subnetHasEndpoint: () => false,
      fromAzure: false,
      sameRegionAzure: false,
      trustedService: false,
      purpose: "rest",
    });
    expect(r).toMatchObject({ allowed: true, rule: "networkAcls.ipRules[0]" });
  });
});
