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
// ALLOWED_DOC_ERRORS names, exactly, the errors that stand today in files
// other branches are rewriting; an entry that no longer matches an error
// fails too, so the list only shrinks.
//
// Usage: node scripts/check-docs.mjs [root]. The module exports
// checkDocs(root, options) for scripts/check-docs.test.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimes } from "./lib/runtimes.mjs";

/**
 * Errors that stand today, each exactly as reported ("file:line:col
 * error[kind]: message"), in files being rewritten on other branches.
 * Empty it as they land (each needs the doc comment or export named).
 */
export const ALLOWED_DOC_ERRORS = [
  // The core's cleanup, task groups and pool are being rewritten (issue #12):
  // each of these constructors needs a summary line above its @param tags,
  // and contextManager's signature names the unexported AnyGenerator.
  "packages/core/src/cleanup/context-manager.ts:135:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/core/src/cleanup/context-manager.ts:308:1 error[private-type-ref]: public type 'contextManager' references private type 'AnyGenerator'",
  "packages/core/src/cleanup/exit-stack.ts:138:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/core/src/tasks/task-group.ts:125:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/core/src/pool/pool.ts:85:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/core/src/pool/pool-event.ts:66:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  // The drivers are being rewritten (issue #12): their public signatures
  // name core types (Pool, PoolOptions, Lease, AcquireOptions, UseOptions,
  // GeneratorContextManager) and postgres.js types their mod.ts does not
  // re-export, and a few members have no doc comment.
  "packages/postgres/src/options.ts:22:3 error[private-type-ref]: public type 'ConnectionOptions[\"postgres\"]' references private type 'postgres'",
  "packages/postgres/src/options.ts:22:3 error[private-type-ref]: public type 'ConnectionOptions[\"postgres\"]' references private type 'postgres.Options'",
  "packages/postgres/src/options.ts:22:3 error[private-type-ref]: public type 'ConnectionOptions[\"postgres\"]' references private type 'postgres.PostgresType'",
  "packages/postgres/src/connection.ts:45:1 error[private-type-ref]: public type 'PostgresConnection' references private type 'Link'",
  "packages/postgres/src/pool.ts:16:1 error[private-type-ref]: public type 'PostgresPoolOptions' references private type 'PoolOptions'",
  "packages/postgres/src/pool.ts:116:1 error[private-type-ref]: public type 'PostgresPool' references private type 'Pool'",
  "packages/postgres/src/pool.ts:132:3 error[private-type-ref]: public type 'PostgresPool.prototype.acquire' references private type 'AcquireOptions'",
  "packages/postgres/src/pool.ts:132:3 error[private-type-ref]: public type 'PostgresPool.prototype.acquire' references private type 'Lease'",
  "packages/postgres/src/pool.ts:170:3 error[private-type-ref]: public type 'PostgresPool.prototype.use' references private type 'UseOptions'",
  "packages/postgres/src/transaction.ts:35:12 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/postgres/src/transaction.ts:36:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/postgres/src/transaction.ts:41:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/postgres/src/transaction.ts:42:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/postgres/src/transaction.ts:160:1 error[private-type-ref]: public type 'transaction' references private type 'GeneratorContextManager'",
  "packages/postgres/src/errors.ts:31:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/postgres/src/errors.ts:41:16 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/redis/src/pool.ts:15:1 error[private-type-ref]: public type 'RedisPoolOptions' references private type 'PoolOptions'",
  "packages/redis/src/pool.ts:85:1 error[private-type-ref]: public type 'createRedisPool' references private type 'Pool'",
  "packages/redis/src/types.ts:52:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/redis/src/types.ts:53:3 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
  "packages/redis/src/permit.ts:24:16 error[missing-jsdoc]: exported symbol is missing JSDoc documentation",
];

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
    const r = spawnSync(deno, ["doc", "--lint", ...pkg.entries], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", RUST_BACKTRACE: "0" },
    });
    const output = `${r.stdout}\n${r.stderr}`;
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
  for (const error of found) {
    if (!allowed.includes(error)) problems.push(error);
  }
  for (const entry of allowed) {
    if (!found.has(entry)) {
      problems.push(`${entry}\n    is allowed but no longer reported: remove it from ALLOWED_DOC_ERRORS`);
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
