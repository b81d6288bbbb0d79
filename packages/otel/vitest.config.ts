// The root vitest configuration, but running this package's
// entry (test/node/) instead of excluding it. Arrays are replaced, not merged.
import { defineConfig } from "vitest/config";
import root from "../../vitest.config.ts";

export default defineConfig({
  ...root,
  test: {
    ...root.test,
    include: ["test/node/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 20_000,
  },
});
