import * as core from "@corral/core";
import * as adapter from "../src/mod.ts";

Deno.test("@corral/deno re-exports every core export as the identical object", () => {
  const keys = Object.keys(core);
  if (keys.length < 10) throw new Error(`too few core exports: ${keys.length}`);
  for (const key of keys) {
    if ((adapter as Record<string, unknown>)[key] !== (core as Record<string, unknown>)[key]) {
      throw new Error(`@corral/deno export ${key} differs from @corral/core's`);
    }
  }
});

Deno.test("@corral/deno names its runtime", () => {
  if (adapter.runtime.name !== "deno" || adapter.runtime.version !== Deno.version.deno) {
    throw new Error(`wrong runtime: ${JSON.stringify(adapter.runtime)}`);
  }
});
