#!/usr/bin/env node
// Fails on text that must not be in the repository, in every file git would
// commit (tracked, plus untracked files that are not ignored):
//  - console.assert calls: it only logs, so an example or a test asserting
//    with it cannot fail. Assert with node:assert (or the suite's own asserts).
//  - a machine's absolute path (/work/…, /home/…, /root/…, /Users/… and
//    Windows user folders): the repository must mean the same on every
//    machine; use paths relative to the repository root.
//
// Usage: node scripts/check-hygiene.mjs [root]. The module exports
// checkHygiene(root) for scripts/check-hygiene.test.mjs.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const RULES = [
  {
    pattern: /\bconsole\s*\.\s*assert\(/, // a call; prose ("never console.assert (it logs)") is fine
    why: "console.assert only logs: assert with node:assert/strict (or the suite's asserts), which throws",
  },
  {
    pattern: /(?:^|[^\w.~%+-])(?:\/(?:work|home|root|Users)\/[\w.-]|[A-Za-z]:\\Users\\)/,
    why: "a machine's absolute path: write it relative to the repository root",
  },
];
const MAX_BYTES = 4 * 1024 * 1024;

/** Files git would commit under `root`. */
function candidates(root) {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(out.split("\0").filter(Boolean))];
}

/**
 * Checks every file git would commit under `root`.
 *
 * @param {string} root a git work tree
 * @returns {{ problems: string[], files: number }}
 */
export function checkHygiene(root) {
  const problems = [];
  let files = 0;
  for (const rel of candidates(root)) {
    const path = join(root, rel);
    let text;
    try {
      if (statSync(path).size > MAX_BYTES) continue;
      text = readFileSync(path, "utf8");
    } catch {
      continue; // deleted in the work tree, or a directory (a submodule)
    }
    if (text.includes("\0")) continue; // binary
    files++;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      for (const { pattern, why } of RULES) {
        if (pattern.test(lines[i])) problems.push(`${rel}:${i + 1}: ${why}\n      ${lines[i].trim().slice(0, 160)}`);
      }
    }
  }
  return { problems, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const { problems, files } = checkHygiene(root);
  if (problems.length) {
    console.error(`check-hygiene: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`check-hygiene: ${files} files, no console.assert and no machine paths`);
}
