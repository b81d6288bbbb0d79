// The integration suite again, with the `postgres` package's next major:
// every import of "postgres" (ours and the suite's) resolves to postgres 4
// (installed at the root as the alias "postgres4").
import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

export default defineConfig({
  ...base,
  resolve: { ...base.resolve, alias: [{ find: /^postgres$/, replacement: "postgres4" }] },
});
