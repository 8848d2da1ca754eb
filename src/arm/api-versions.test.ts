import { describe, expect, it } from "vitest";
import { checkApiVersion } from "./api-versions.js";

describe("checkApiVersion", () => {
  it("accepts every version real clients send (real-clients §4.3)", () => {
    for (const v of [
      "2015-01-01",
      "2017-03-30",
      "2019-11-01",
      "2020-11-01-preview",
      "2021-02-01-preview",
      "2022-09-01",
      "2025-05-01",
      "2026-01-01",
      "2026-09-01",
    ]) {
      expect(checkApiVersion(v)).toBe(v);
    }
  });
  it("MissingApiVersionParameter when absent, InvalidApiVersionParameter when malformed or out of range", () => {
    expect(() => checkApiVersion(undefined)).toThrow(
      expect.objectContaining({ code: "MissingApiVersionParameter", status: 400 }),
    );
    expect(() => checkApiVersion("")).toThrow(
      expect.objectContaining({ code: "MissingApiVersionParameter" }),
    );
    for (const v of ["latest", "2025-5-1", "2013-12-31", "2027-01-01", "2025-00-10"]) {
      expect(() => checkApiVersion(v), v).toThrow(
        expect.objectContaining({ code: "InvalidApiVersionParameter" }),
      );
    }
  });
});
