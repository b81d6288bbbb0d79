// The integration suite again, with redis 6.4: every import of "redis" (ours
// and the suite's) resolves to redis 6.4 (installed at the root as the alias
// "redis64"); the worker fixture the suite starts is bundled with the same
// alias (test/node reads CORRAL_REDIS_VERSION).
import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

export default defineConfig({
  ...base,
  resolve: { ...base.resolve, alias: [{ find: /^redis$/, replacement: "redis64" }] },
});
