#!/usr/bin/env node
// The conformance suite must run the same cases on every target. This asks
// conformance() and checkShutdown() (the run() checks each adapter starts as
// child processes) how many cases they register, then reads the JUnit report
// of each target and fails unless every report holds exactly those cases
// (ids like "CS-01", "SD-01"), all passed, none skipped.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_LINES, root, runtimes } from "./lib/runtimes.mjs";

const TARGETS = [
  ...NODE_LINES.map((line) => [`Node ${line}`, `.junit/node-node${line}.xml`]),
  ["Deno", ".junit/deno-deno.xml"],
  ["Bun", ".junit/bun-bun.xml"],
];
const ID = /^([A-Z]{2})-(\d{2,3})\b/;

const { deno } = runtimes();
const probe = spawnSync(deno, [
  "eval",
  `import { checkShutdown, conformance } from "./packages/conformance/src/mod.ts";
   const ids = [];
   const shutdownIds = [];
   const n = conformance({ test: (name) => ids.push(name), corral: {} });
   const spawn = () => { throw new Error("not started while registering"); };
   const shutdown = checkShutdown({ test: (name) => shutdownIds.push(name), runtime: "probe", spawn });
   console.log(JSON.stringify({ n, ids, shutdown, shutdownIds }));`,
], { cwd: root, encoding: "utf8" });
if (probe.status !== 0) {
  console.error(probe.stderr);
  process.exit(1);
}
const registered = JSON.parse(probe.stdout.trim().split("\n").pop());
if (registered.ids.length !== registered.n) {
  console.error(`conformance() returned ${registered.n} but registered ${registered.ids.length} cases`);
  process.exit(1);
}
if (registered.shutdownIds.length !== registered.shutdown) {
  console.error(
    `checkShutdown() returned ${registered.shutdown} but registered ${registered.shutdownIds.length} cases`,
  );
  process.exit(1);
}
const ids = [...registered.ids, ...registered.shutdownIds];
const expected = ids.length;

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

console.log(`conformance() registers ${registered.n} cases, checkShutdown() ${registered.shutdown}`);
console.log("| target | cases | not passed | by prefix |\n| --- | ---: | ---: | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
if (problems.length) {
  console.error(`compare-conformance: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(
  `compare-conformance: all ${TARGETS.length} targets ran the same ${registered.n} conformance and ` +
    `${registered.shutdown} shutdown cases, all passed`,
);
