import { expect, test } from "vitest";
import * as core from "@corral/core";
import * as adapter from "../src/mod.ts";

test("@corral/node re-exports every core export as the identical object", () => {
  const keys = Object.keys(core);
  expect(keys.length).toBeGreaterThan(10);
  for (const key of keys) {
    expect((adapter as Record<string, unknown>)[key], key).toBe((core as Record<string, unknown>)[key]);
  }
});

test("@corral/node names its runtime", () => {
  expect(adapter.runtime.name).toBe("node");
  expect(adapter.runtime.version).toBe(process.versions.node);
});
