#!/usr/bin/env node
// The conformance suite must run the same cases on every target. This asks
// conformance() itself how many cases it registers, then reads the JUnit
// report of each target and fails unless every report holds exactly that
// many conformance cases (ids like "CS-01"), all passed, none skipped.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root, runtimes } from "./lib/runtimes.mjs";

const TARGETS = [
  ["Node 20", ".junit/node-node20.xml"],
  ["Node 24", ".junit/node-node24.xml"],
  ["Deno", ".junit/deno-deno.xml"],
  ["Bun", ".junit/bun-bun.xml"],
];
const ID = /^([A-Z]{2})-(\d{2,3})\b/;

const { deno } = runtimes();
const probe = spawnSync(deno, [
  "eval",
  `import { conformance } from "./packages/conformance/src/mod.ts";
   const ids = [];
   const n = conformance({ test: (name) => ids.push(name), corral: {} });
   console.log(JSON.stringify({ n, ids }));`,
], { cwd: root, encoding: "utf8" });
if (probe.status !== 0) {
  console.error(probe.stderr);
  process.exit(1);
}
const { n: expected, ids } = JSON.parse(probe.stdout.trim().split("\n").pop());
if (ids.length !== expected) {
  console.error(`conformance() returned ${expected} but registered ${ids.length} cases`);
  process.exit(1);
}

function unescape(s) {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(
    /&amp;/g,
    "&",
  );
}

const problems = [];
const rows = [];
for (const [target, file] of TARGETS) {
  const path = join(root, file);
  if (!existsSync(path)) {
    problems.push(`${target}: no JUnit report at ${file} (did its tests run?)`);
    continue;
  }
  const xml = readFileSync(path, "utf8");
  const cases = new Map();
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = unescape(m[1].match(/\bname="([^"]*)"/)?.[1] ?? "");
    const id = name.match(ID);
    if (!id) continue;
    const body = m[3] ?? "";
    const status = /<(failure|error)\b/.test(body) ? "failed" : /<skipped\b/.test(body) ? "skipped" : "passed";
    if (cases.has(id[0])) problems.push(`${target}: case ${id[0]} reported twice`);
    cases.set(id[0], status);
  }
  const failed = [...cases].filter(([, s]) => s !== "passed").map(([id, s]) => `${id} ${s}`);
  const missing = ids.map((n) => n.match(ID)[0]).filter((id) => !cases.has(id));
  if (cases.size !== expected) problems.push(`${target}: ${cases.size} conformance cases, expected ${expected}`);
  if (missing.length) {
    problems.push(`${target}: missing ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? " …" : ""}`);
  }
  if (failed.length) problems.push(`${target}: not passed: ${failed.join(", ")}`);
  const prefixes = {};
  for (const id of cases.keys()) prefixes[id.slice(0, 2)] = (prefixes[id.slice(0, 2)] ?? 0) + 1;
  rows.push([target, cases.size, failed.length, JSON.stringify(prefixes)]);
}

console.log(`conformance() registers ${expected} cases`);
console.log("| target | cases | not passed | by prefix |\n| --- | ---: | ---: | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
if (problems.length) {
  console.error(`compare-conformance: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`compare-conformance: all ${TARGETS.length} targets ran the same ${expected} cases, all passed`);
