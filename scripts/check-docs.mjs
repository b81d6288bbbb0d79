#!/usr/bin/env node
// Fails when `deno doc --lint` finds a problem in the public documentation
// of any package: an exported symbol without a doc comment, or a public
// signature that names a type the package does not export (JSR shows these
// pages to users, and scores them). Every package with a deno.json under
// packages/ is checked, on each entry point its `exports` names; an error
// found through several entry points (an adapter re-exports the core) is
// reported once, at its file. Only files of this tree count: whatever a
// dependency's own types would say is not ours to fix.
//
// ALLOWED_DOC_ERRORS names, exactly, errors allowed to stand for a while
// (none today); an entry that no longer matches an error fails too, so the
// list only shrinks.
//
// Usage: node scripts/check-docs.mjs [root]. The module exports
// checkDocs(root, options) for scripts/check-docs.test.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimes } from "./lib/runtimes.mjs";

/**
 * Errors allowed to stand for now, each as reported with its position left
 * out ("file error[kind]: message", so edits elsewhere in the file do not
 * move it), one entry per error: a file with two missing docs has two
 * entries. Empty today: every package is clean. Should a branch need to land
 * with a known error, list it here with a comment saying where it is and
 * what it needs; an entry that no longer matches fails, so the list only
 * shrinks.
 */
export const ALLOWED_DOC_ERRORS = [];

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Every package under packages/ with a deno.json, and the entry points its `exports` names. */
function entryPoints(root) {
  const base = join(root, "packages");
  const out = [];
  let dirs = [];
  try {
    dirs = readdirSync(base).sort();
  } catch {
    return out;
  }
  for (const dir of dirs) {
    const config = join(base, dir, "deno.json");
    if (!existsSync(config)) continue;
    const { name, exports } = JSON.parse(readFileSync(config, "utf8"));
    const targets = typeof exports === "string" ? [exports] : Object.values(exports ?? {});
    out.push({ name: name ?? dir, entries: targets.map((t) => join(base, dir, t)) });
  }
  return out;
}

/**
 * The errors in one `deno doc --lint` report (NO_COLOR): each "error[kind]:
 * message" line, located by the first "--> file:line:col" after it.
 */
export function parseDocLint(output) {
  const errors = [];
  let pending;
  for (const line of output.split("\n")) {
    const head = line.match(/^error\[([\w-]+)\]: (.*)$/);
    if (head) {
      pending = { kind: head[1], message: head[2].trim() };
      continue;
    }
    const at = line.match(/^\s*--> (.+):(\d+):(\d+)\s*$/);
    if (at && pending) {
      errors.push({ ...pending, file: at[1], line: Number(at[2]), column: Number(at[3]) });
      pending = undefined;
    }
  }
  return errors;
}

/** Each "Warning …" of a report, with the file of the "at file:line:col" line after it, if any. */
export function parseWarnings(output) {
  const lines = output.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("Warning ")) continue;
    const at = lines[i + 1]?.match(/^\s+at (.+):\d+:\d+\s*$/);
    out.push({ text: at ? `${lines[i]} (${at[0].trim()})` : lines[i], file: at?.[1] });
  }
  return out;
}

/** `file` (a path or file: URL) relative to `root`, or undefined when it is outside the tree or in node_modules. */
function ours(root, file) {
  const path = file.startsWith("file://") ? fileURLToPath(file) : file;
  const rel = relative(root, isAbsolute(path) ? path : resolve(root, path)).split(sep).join("/");
  return rel.startsWith("..") || rel.split("/").includes("node_modules") ? undefined : rel;
}

/**
 * Runs `deno doc --lint` on every package's entry points under `root`.
 *
 * @param {string} root the repository root
 * @param {{ allowed?: string[], deno?: string }} [options]
 * @returns {{ problems: string[], errors: string[], packages: string[] }} `errors` is every error found, allowed
 *   or not, as "file:line:col error[kind]: message".
 */
export function checkDocs(root, { allowed = ALLOWED_DOC_ERRORS, deno = runtimes().deno } = {}) {
  root = realpathSync(root);
  const problems = [];
  const found = new Set();
  const packages = entryPoints(root);
  for (const pkg of packages) {
    // Deno colours its report whenever FORCE_COLOR is set, even to "0" (as
    // scripts/test.mjs sets it): leave it out, and strip colour regardless.
    const { FORCE_COLOR: _, ...env } = process.env;
    const r = spawnSync(deno, ["doc", "--lint", ...pkg.entries], {
      cwd: root,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1", RUST_BACKTRACE: "0" },
    });
    const output = `${r.stdout}\n${r.stderr}`.replace(ANSI, "");
    const errors = parseDocLint(output);
    // deno doc only warns, exiting 0, when a module does not load (missing,
    // or a syntax error), and then documents what it could: not clean. But
    // what it cannot resolve inside a dependency's own types (@types/node's
    // references, seen through the npm types in node_modules) is not ours.
    const warnings = parseWarnings(output).filter((w) => w.file === undefined || ours(root, w.file) !== undefined);
    if (warnings.length) {
      problems.push(
        `${pkg.name}: deno doc --lint could not read every module:\n    ${warnings.map((w) => w.text).join("\n    ")}`,
      );
      continue;
    }
    if (r.status !== 0 && errors.length === 0) {
      // Not a lint finding (a module that does not load, a type error): show it whole.
      problems.push(`${pkg.name}: deno doc --lint failed (exit ${r.status ?? r.signal}):\n${output.trim()}`);
      continue;
    }
    for (const e of errors) {
      // Only this tree's own files; a dependency's types are not ours to document.
      const rel = ours(root, e.file);
      if (rel !== undefined) found.add(`${rel}:${e.line}:${e.column} error[${e.kind}]: ${e.message}`);
    }
  }
  // Entries name a file and the error, not its line: edits elsewhere in the
  // file move it. The same error may be allowed several times in one file
  // (one entry each); one more than allowed fails, listing where they are.
  const byKey = new Map();
  for (const error of found) {
    const key = error.replace(/^([^:]+):\d+:\d+ /, "$1 ");
    byKey.set(key, [...(byKey.get(key) ?? []), error]);
  }
  const allowance = new Map();
  for (const entry of allowed) allowance.set(entry, (allowance.get(entry) ?? 0) + 1);
  for (const [key, errors] of byKey) {
    const n = allowance.get(key) ?? 0;
    if (errors.length > n) problems.push(...errors.map((e) => (n ? `${e} (${n} of these allowed in its file)` : e)));
  }
  for (const [key, n] of allowance) {
    const left = n - (byKey.get(key)?.length ?? 0);
    if (left > 0) {
      problems.push(`${key}\n    is allowed ${n} time(s) but reported ${n - left}: remove it from ALLOWED_DOC_ERRORS`);
    }
  }
  return { problems, errors: [...found], packages: packages.map((p) => p.name) };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const { problems, errors, packages } = checkDocs(root);
  if (problems.length) {
    console.error(`check-docs: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const allowed = errors.length ? ` (${errors.length} allowed while being rewritten)` : "";
  console.log(`check-docs: deno doc --lint is clean on ${packages.length} packages${allowed}`);
}
