import { expect, test } from "bun:test";
import * as core from "@corral/core";
import * as adapter from "../src/mod.ts";

test("@corral/bun re-exports every core export as the identical object", () => {
  const keys = Object.keys(core);
  expect(keys.length).toBeGreaterThan(10);
  for (const key of keys) {
    expect((adapter as Record<string, unknown>)[key]).toBe((core as Record<string, unknown>)[key]);
  }
});

test("@corral/bun names its runtime", () => {
  expect(adapter.runtime.name).toBe("bun");
  expect(adapter.runtime.version).toBe(Bun.version);
});
