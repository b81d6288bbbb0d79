// Black-box tests of run(): the shared shutdown fixture started as a real
// `bun` child process, signalled after its "ready" line.
import { test } from "bun:test";

const fixture = new URL("./fixtures/shutdown.ts", import.meta.url).pathname;
const cwd = new URL("..", import.meta.url).pathname;
const WATCHDOG = 30_000;

interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Starts a scenario; `line(text)` resolves once the child printed that line. */
function start(scenario: string) {
  const child = Bun.spawn([process.execPath, "--conditions=@corral/source", fixture, scenario], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stdout = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (stdout.split("\n").includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += chunk;
      check();
    }
  })();
  const stderr = new Response(child.stderr).text();
  // A hung child fails the test with what it printed, instead of hanging it.
  const watchdog = setTimeout(() => child.kill("SIGKILL"), WATCHDOG);
  const exited: Promise<Exit> = (async () => {
    await child.exited;
    await reading;
    clearTimeout(watchdog);
    return { code: child.exitCode, signal: child.signalCode, stdout, stderr: await stderr };
  })();
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

function assertEquals(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function assertMatch(text: string, pattern: RegExp, what: string): void {
  if (!pattern.test(text)) throw new Error(`${what}: ${JSON.stringify(text)} does not match ${pattern}`);
}

const lines = (text: string) => text.split("\n").filter(Boolean);
const count = (text: string, part: string) => text.split(part).length - 1;
const name = (text: string) => `run() on Bun ${Bun.version}, as a child process: ${text}`;
const T = 60_000;

test(name("success: cleanup runs, exit code 0, nothing on stderr"), async () => {
  const exit = await start("success").exited;
  assertEquals([exit.code, exit.stderr], [0, ""], "exit code and stderr");
  assertEquals(lines(exit.stdout), ["main:done", "cleanup:done", "code:0"], "stdout");
}, T);

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  test(name(`${signal} cancels main with a Cancelled naming it, cleanup runs, exit ${code}`), async () => {
    const p = start("signal");
    await p.line("ready");
    p.child.kill(signal);
    const exit = await p.exited;
    assertEquals([exit.code, exit.stderr], [code, ""], "exit code and stderr");
    assertEquals(lines(exit.stdout), [
      "ready",
      `reason:Cancelled (explicit): ${signal}`,
      "same-reason:true",
      "cleanup:done",
      `code:${code}`,
    ], "stdout");
  }, T);
}

test(name("SIGTERM gives 143 even when main swallows the cancellation and returns"), async () => {
  const p = start("swallow");
  await p.line("ready");
  p.child.kill("SIGTERM");
  const exit = await p.exited;
  assertEquals(exit.code, 143, "exit code");
  assertEquals(lines(exit.stdout).includes("cleanup:done"), true, "cleanup ran");
}, T);

test(name("a second signal ends a slow cleanup at once with the first signal's code"), async () => {
  const p = start("double"); // grace period 60 s: only the second signal can end it in time
  await p.line("ready");
  p.child.kill("SIGINT");
  await p.line("cleanup:start");
  p.child.kill("SIGTERM");
  const exit = await p.exited;
  assertEquals(exit.code, 130, "exit code");
  assertEquals(exit.stdout.includes("cleanup:done"), false, "cleanup did not finish");
  assertMatch(exit.stderr, /received SIGTERM during shutdown; exiting with 130/, "stderr");
}, T);

test(name("the grace period bounds a hung cleanup"), async () => {
  const p = start("hung"); // grace period 300 ms; the cleanup never ends
  await p.line("ready");
  p.child.kill("SIGTERM");
  const exit = await p.exited;
  assertEquals(exit.code, 143, "exit code");
  assertEquals(lines(exit.stdout).includes("cleanup:start"), true, "cleanup started");
  assertEquals(exit.stdout.includes("cleanup:done"), false, "cleanup did not finish");
  assertMatch(exit.stderr, /cleanup took longer than 300 ms; exiting with 143/, "stderr");
}, T);

test(name("an unhandled rejection cancels main, cleanup runs, exit 1, printed once"), async () => {
  const exit = await start("unhandled").exited;
  assertEquals(exit.code, 1, "exit code");
  assertEquals(
    lines(exit.stdout),
    ["ready", "reason:Cancelled (explicit): a lost promise rejected", "same-reason:true", "cleanup:done", "code:1"],
    "stdout",
  );
  assertEquals(count(exit.stderr, "a lost promise rejected"), 1, "printed once");
}, T);

test(name("an uncaught exception cancels main, cleanup runs, exit 1"), async () => {
  const exit = await start("uncaught").exited;
  assertEquals(exit.code, 1, "exit code");
  assertEquals(lines(exit.stdout).includes("cleanup:done"), true, "cleanup ran");
  assertEquals(count(exit.stderr, "thrown in a timer callback"), 1, "printed once");
}, T);

test(name("a failing main: exit 1, its suppressed and cause chain printed once"), async () => {
  const exit = await start("failure").exited;
  assertEquals(exit.code, 1, "exit code");
  assertEquals(lines(exit.stdout), ["code:1"], "stdout");
  for (const part of ["SuppressedError: cleanup failed after an error", "close failed", "query failed"]) {
    assertEquals(count(exit.stderr, part), 1, part);
  }
  assertMatch(
    exit.stderr,
    /\[suppressed\]:\n\s+Error: query failed[\s\S]*\[cause\]:\n\s+Error: connection reset/,
    "the chain",
  );
}, T);

test(name("run() works twice in one process"), async () => {
  const p = start("twice");
  await p.line("ready");
  p.child.kill("SIGINT");
  const exit = await p.exited;
  assertEquals(exit.code, 130, "exit code");
  const out = lines(exit.stdout);
  assertEquals(["first:0", "cleanup:done", "code:130"].every((l) => out.includes(l)), true, "stdout " + out);
}, T);

test(name("after run() returns its listeners are gone: SIGINT takes Bun's default action"), async () => {
  const p = start("after");
  await p.line("ready");
  p.child.kill("SIGINT");
  const exit = await p.exited;
  assertEquals(exit.signal, "SIGINT", "killed by the signal");
  assertEquals(lines(exit.stdout), ["code:0", "ready"], "stdout");
}, T);

test(name("core timers: a background entry and a cancelled sleep do not hold the process"), async () => {
  const exit = await start("timers").exited; // held for 50-60 s if an unref were missing
  assertEquals([exit.code, exit.stderr], [0, ""], "exit code and stderr");
  assertEquals(lines(exit.stdout), ["slept", "cancelled", "done"], "stdout");
}, T);
