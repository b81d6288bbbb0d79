// Black-box tests of run(): the shared shutdown fixture started as a real
// child process under the Node that runs this vitest leg (Node 20 or 24),
// signalled after its "ready" line. Node 20 cannot run .ts, so beforeAll
// bundles the fixture entry (adapter source and all) with esbuild into one
// .mjs; both legs run that same bundle.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const entry = fileURLToPath(new URL("./fixtures/shutdown.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "corral-node-shutdown-"));
const bundle = join(dir, "shutdown.mjs");
const WATCHDOG = 30_000;

beforeAll(async () => {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    conditions: ["@corral/source"],
    outfile: bundle,
    logLevel: "warning",
  });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Starts a scenario; `line(text)` resolves once the child printed that line. */
function start(scenario: string) {
  const child = spawn(process.execPath, [bundle, scenario], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (stdout.split("\n").includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // A hung child fails the test with what it printed, instead of hanging it.
  const watchdog = setTimeout(() => child.kill("SIGKILL"), WATCHDOG);
  const exited = new Promise<Exit>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, stdout, stderr });
    })
  );
  const line = (text: string) =>
    Promise.race([
      new Promise<void>((resolve) => {
        waiters.push({ text, resolve });
        check();
      }),
      exited.then((exit) => {
        throw new Error(`exited before printing ${JSON.stringify(text)}: ${JSON.stringify(exit)}`);
      }),
    ]);
  return { child, line, exited };
}

const lines = (text: string) => text.split("\n").filter(Boolean);
const count = (text: string, part: string) => text.split(part).length - 1;
const T = 60_000;

describe(`run() on Node ${process.versions.node}, as a child process`, () => {
  test("success: cleanup runs, exit code 0, nothing on stderr", async () => {
    const exit = await start("success").exited;
    expect(exit).toMatchObject({ code: 0, stderr: "" });
    expect(lines(exit.stdout)).toEqual(["main:done", "cleanup:done", "code:0"]);
  }, T);

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    test(`${signal} cancels main with a Cancelled naming it, cleanup runs, exit ${code}`, async () => {
      const p = start("signal");
      await p.line("ready");
      p.child.kill(signal);
      const exit = await p.exited;
      expect(exit).toMatchObject({ code, stderr: "" });
      expect(lines(exit.stdout)).toEqual([
        "ready",
        `reason:Cancelled (explicit): ${signal}`,
        "same-reason:true",
        "cleanup:done",
        `code:${code}`,
      ]);
    }, T);
  }

  test("SIGTERM gives 143 even when main swallows the cancellation and returns", async () => {
    const p = start("swallow");
    await p.line("ready");
    p.child.kill("SIGTERM");
    const exit = await p.exited;
    expect(exit.code).toBe(143);
    expect(lines(exit.stdout)).toContain("cleanup:done");
  }, T);

  test("a second signal ends a slow cleanup at once with the first signal's code", async () => {
    const p = start("double"); // grace period 60 s: only the second signal can end it in time
    await p.line("ready");
    p.child.kill("SIGINT");
    await p.line("cleanup:start");
    p.child.kill("SIGTERM");
    const exit = await p.exited;
    expect(exit.code).toBe(130);
    expect(exit.stdout).not.toContain("cleanup:done");
    expect(exit.stderr).toMatch(/received SIGTERM during shutdown; exiting with 130/);
  }, T);

  test("the grace period bounds a hung cleanup", async () => {
    const p = start("hung"); // grace period 300 ms; the cleanup never ends
    await p.line("ready");
    p.child.kill("SIGTERM");
    const exit = await p.exited;
    expect(exit.code).toBe(143);
    expect(lines(exit.stdout)).toContain("cleanup:start");
    expect(exit.stdout).not.toContain("cleanup:done");
    expect(exit.stderr).toMatch(/cleanup took longer than 300 ms; exiting with 143/);
  }, T);

  test("an unhandled rejection cancels main, cleanup runs, exit 1, printed once", async () => {
    const exit = await start("unhandled").exited;
    expect(exit.code).toBe(1);
    expect(lines(exit.stdout)).toEqual(
      ["ready", "reason:Cancelled (explicit): a lost promise rejected", "same-reason:true", "cleanup:done", "code:1"],
    );
    expect(count(exit.stderr, "a lost promise rejected")).toBe(1);
  }, T);

  test("an uncaught exception cancels main, cleanup runs, exit 1", async () => {
    const exit = await start("uncaught").exited;
    expect(exit.code).toBe(1);
    expect(lines(exit.stdout)).toContain("cleanup:done");
    expect(count(exit.stderr, "thrown in a timer callback")).toBe(1);
  }, T);

  test("a failing main: exit 1, its suppressed and cause chain printed once", async () => {
    const exit = await start("failure").exited;
    expect(exit.code).toBe(1);
    expect(lines(exit.stdout)).toEqual(["code:1"]);
    for (const part of ["SuppressedError: cleanup failed after an error", "close failed", "query failed"]) {
      expect(count(exit.stderr, part), part).toBe(1);
    }
    expect(exit.stderr).toMatch(/\[suppressed\]:\n\s+Error: query failed[\s\S]*\[cause\]:\n\s+Error: connection reset/);
  }, T);

  test("run() works twice in one process", async () => {
    const p = start("twice");
    await p.line("ready");
    p.child.kill("SIGINT");
    const exit = await p.exited;
    expect(exit.code).toBe(130);
    expect(lines(exit.stdout)).toEqual(expect.arrayContaining(["first:0", "cleanup:done", "code:130"]));
  }, T);

  test("after run() returns its listeners are gone: SIGINT takes Node's default action", async () => {
    const p = start("after");
    await p.line("ready");
    p.child.kill("SIGINT");
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: null, signal: "SIGINT" });
    expect(lines(exit.stdout)).toEqual(["code:0", "ready"]);
  }, T);

  test("core timers: a background entry and a cancelled sleep do not hold the process; a sleep does", async () => {
    const exit = await start("timers").exited; // held for 50-60 s if an unref were missing
    expect(exit).toMatchObject({ code: 0, stderr: "" });
    expect(lines(exit.stdout)).toEqual(["slept", "cancelled", "done"]);
  }, T);
});
