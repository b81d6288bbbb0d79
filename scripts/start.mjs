#!/usr/bin/env node
// `npm start`: the main job. Until the sample apps land this runs a short
// cancellation demo on Node 24 straight from source (type stripping and the
// "@corral/source" export condition).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { root, runtimes } from "./lib/runtimes.mjs";

const { node24 } = runtimes();
const r = spawnSync(node24, ["--conditions=@corral/source", "--no-warnings", join(root, "scripts/demo.ts")], {
  stdio: "inherit",
  cwd: root,
});
process.exit(r.status ?? 1);
