// The root vitest configuration, but running this package's entry under test/node/
// (one per runner: test/node, test/deno, test/bun). Arrays are replaced, not merged.
import { defineConfig } from "vitest/config";
import root from "../../vitest.config.ts";

export default defineConfig({
  ...root,
  test: {
    ...root.test,
    include: ["test/node/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
