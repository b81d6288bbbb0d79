// One vitest configuration for every package that runs under Node. Tests
// run from source: the "@corral/source" export condition points each
// workspace package at its src/mod.ts. esbuild lowers `using` for Node 20.
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@corral/source"] },
  ssr: { resolve: { conditions: ["@corral/source"] } },
  esbuild: { target: "es2022" },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/*.integration.test.ts", "**/node_modules/**"],
    testTimeout: 20_000,
    // Unhandled rejections and uncaught errors fail the run (vitest default); keep it explicit.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
