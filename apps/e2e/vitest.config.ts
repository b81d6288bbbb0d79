// The root configuration, running this package's integration tests (which
// start the three sample workers as real processes).
import { defineConfig } from "vitest/config";
import root from "../../vitest.config.ts";

export default defineConfig({
  ...root,
  test: {
    ...root.test,
    include: ["test/**/*.integration.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
