// Preloaded by scripts/run-tests.mjs for a Bun leg that runs with a second
// major of a dependency ("bun+postgres4"): the module file Bun would load
// (CORRAL_BUN_ALIAS.from, e.g. node_modules/postgres/src/index.js) becomes a
// re-export of the alias (CORRAL_BUN_ALIAS.to). Bun resolves packages in
// node_modules before a runtime plugin's onResolve sees them, so the swap
// happens at load time.
import { plugin } from "bun";

const { from, to } = JSON.parse(process.env.CORRAL_BUN_ALIAS ?? "null") as { from: string; to: string };
const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

plugin({
  name: "corral-alias",
  setup(build) {
    build.onLoad({ filter: new RegExp(`^${escaped}$`) }, () => ({
      contents: `export * from ${JSON.stringify(to)};\nexport { default } from ${JSON.stringify(to)};\n`,
      loader: "js",
    }));
  },
});
