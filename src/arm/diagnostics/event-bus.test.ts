import { describe, expect, it } from "vitest";
import { EventBus } from "./event-bus.js";

describe("EventBus", () => {
  it("numbers events, stamps them with the injected clock, delivers them and keeps a bounded replay buffer", () => {
    let now = Date.UTC(2019, 0, 1);
    const bus = new EventBus(() => now, 2);
    const seen: number[] = [];
    const off = bus.subscribe((e) => seen.push(e.id));
    bus.publish("resource", { action: "created" });
    now += 1000;
    const second = bus.publish("request", {});
    bus.publish("connectionReset", {});
    expect(seen).toEqual([1, 2, 3]);
    expect(second.time).toBe("2019-01-01T00:00:01.000Z");
    expect(bus.since(0).map((e) => e.id)).toEqual([2, 3]);
    expect(bus.since(2).map((e) => e.type)).toEqual(["connectionReset"]);
    off();
    bus.publish("resource", {});
    expect(seen).toEqual([1, 2, 3]);
    expect(bus.lastId).toBe(4);
  });

  it("drops a subscriber that throws, and keeps delivering to the others", () => {
    const bus = new EventBus(() => 0);
    let calls = 0;
    bus.subscribe(() => {
      throw new Error("gone");
    });
    bus.subscribe(() => calls++);
    bus.publish("resource", {});
    bus.publish("resource", {});
    expect(calls).toBe(2);
    expect(bus.subscriberCount).toBe(1);
  });
});
