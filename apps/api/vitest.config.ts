// The root configuration, running this app's tests: the unit tests and the
// end-to-end tests, which start the API as a real process on Node, Deno and
// Bun against the real PostgreSQL and Redis.
import { defineConfig } from "vitest/config";
import root from "../../vitest.config.ts";

export default defineConfig({
  ...root,
  test: {
    ...root.test,
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
