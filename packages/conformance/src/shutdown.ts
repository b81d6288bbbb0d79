/**
 * `checkShutdown(harness)`: the black-box checks of an adapter's `run()`,
 * written once. Each case starts {@linkcode shutdownProgram} as a real child
 * process under the adapter's runtime (the harness says how: that is the only
 * runtime-specific part), signals it after its "ready" line, and checks its
 * exit code, stdout and stderr. Case ids are `SD-01`…; the cases are the same
 * on every runtime.
 *
 * @example An adapter's whole shutdown test (Deno)
 * ```ts ignore
 * import { checkShutdown } from "@corral/conformance";
 * const entry = new URL("./fixtures/shutdown.ts", import.meta.url).pathname;
 * checkShutdown({
 *   test: (name, fn) => Deno.test(name, fn),
 *   runtime: `Deno ${Deno.version.deno}`,
 *   spawn(scenario) {
 *     const child = new Deno.Command(Deno.execPath(), {
 *       args: ["run", "-A", entry, scenario],
 *       stdin: "null",
 *       stdout: "piped",
 *       stderr: "piped",
 *     }).spawn();
 *     return {
 *       stdout: child.stdout.pipeThrough(new TextDecoderStream()),
 *       stderr: child.stderr.pipeThrough(new TextDecoderStream()),
 *       kill: (signal) => child.kill(signal),
 *       exit: child.status.then((s) => ({ code: s.signal ? null : s.code, signal: s.signal })),
 *     };
 *   },
 * });
 * ```
 *
 * @module
 */

import { AssertionError, deepEqual, equal, ok } from "./assert.ts";

/** How a child process ended: its exit code (`null` when a signal ended it) and the signal's name, or `null`. */
export interface ShutdownStatus {
  /** The exit code, or `null` when a signal ended the process. */
  code: number | null;
  /** The name of the signal that ended the process (`"SIGINT"`), or `null`. */
  signal: string | null;
}

/** A child process running the shutdown program, as the harness started it. */
export interface ShutdownProcess {
  /** Its standard output, decoded as UTF-8 text, chunk by chunk. */
  readonly stdout: AsyncIterable<string>;
  /** Its standard error, decoded as UTF-8 text, chunk by chunk. */
  readonly stderr: AsyncIterable<string>;
  /** Sends the process a signal. */
  kill(signal: "SIGINT" | "SIGTERM" | "SIGKILL"): void;
  /** Settles once the process has exited. */
  readonly exit: Promise<ShutdownStatus>;
}

/** What an adapter hands {@linkcode checkShutdown}. */
export interface ShutdownHarness {
  /** The runner's own test registration (give it a generous timeout: each case starts a process). */
  test: (name: string, fn: () => Promise<void>) => void;
  /** Names the runtime in test titles: `"Node 20.19.5"`, `"Deno 2.1.0"`. */
  runtime: string;
  /**
   * Starts, as a child process under the adapter's runtime, an entry file that
   * calls `shutdownProgram(adapter, scenario)` with its adapter module.
   */
  spawn(scenario: string): ShutdownProcess;
}

/** A hung child is killed after this long, so the case fails with what it printed instead of hanging. */
const WATCHDOG = 30_000;

interface Exit extends ShutdownStatus {
  stdout: string;
  stderr: string;
}

interface Started {
  kill(signal: "SIGINT" | "SIGTERM" | "SIGKILL"): void;
  /** Resolves once the child printed `text` as a whole line; rejects if it exits first. */
  line(text: string): Promise<void>;
  readonly exited: Promise<Exit>;
}

const lines = (text: string): string[] => text.split("\n").filter(Boolean);
const count = (text: string, part: string): number => text.split(part).length - 1;

function match(text: string, pattern: RegExp, message: string): void {
  if (!pattern.test(text)) throw new AssertionError(`${message}: ${JSON.stringify(text)} does not match ${pattern}`);
}

/**
 * Registers the shutdown cases with `harness.test`.
 *
 * @param harness the runner's `test`, the runtime's name, and how to start the shutdown program
 * @returns the number of cases registered
 */
export function checkShutdown(harness: ShutdownHarness): number {
  let cases = 0;
  const title = `(run() on ${harness.runtime}, as a child process)`;

  function start(scenario: string): Started {
    const child = harness.spawn(scenario);
    let stdout = "";
    let stderr = "";
    const waiters: { text: string; resolve: () => void }[] = [];
    const check = () => {
      if (waiters.length === 0) return;
      const printed = stdout.split("\n");
      for (const w of [...waiters]) {
        if (printed.includes(w.text)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    const reading = (async () => {
      for await (const chunk of child.stdout) {
        stdout += chunk;
        check();
      }
    })();
    const readingErrors = (async () => {
      for await (const chunk of child.stderr) stderr += chunk;
    })();
    const watchdog = setTimeout(() => child.kill("SIGKILL"), WATCHDOG);
    const exited = Promise.all([child.exit, reading, readingErrors]).then(
      ([status]) => ({ code: status.code, signal: status.signal, stdout, stderr }),
    ).finally(() => clearTimeout(watchdog));
    const line = (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiters.push({ text, resolve });
          check();
        }),
        exited.then((exit) => {
          throw new AssertionError(`exited before printing ${JSON.stringify(text)}: ${JSON.stringify(exit)}`);
        }),
      ]);
    return { kill: (signal) => child.kill(signal), line, exited };
  }

  /** One case: whatever its body does, the child is gone when it ends. */
  function scenario(id: string, name: string, program: string, body: (p: Started) => Promise<void>): void {
    cases++;
    harness.test(`${id} ${name} ${title}`, async () => {
      const p = start(program);
      let done = false;
      p.exited.then(() => (done = true), () => (done = true));
      try {
        await body(p);
      } finally {
        if (!done) p.kill("SIGKILL");
        await p.exited.catch(() => {});
      }
    });
  }

  scenario("SD-01", "success: cleanup runs, exit code 0, nothing on stderr", "success", async (p) => {
    const exit = await p.exited;
    deepEqual([exit.code, exit.stderr], [0, ""], "exit code and stderr");
    deepEqual(lines(exit.stdout), ["main:done", "cleanup:done", "code:0"], "stdout");
  });

  for (const [id, signal, code] of [["SD-02", "SIGINT", 130], ["SD-03", "SIGTERM", 143]] as const) {
    scenario(
      id,
      `${signal} cancels main with a Cancelled naming it, cleanup runs, exit ${code}`,
      "signal",
      async (p) => {
        await p.line("ready");
        p.kill(signal);
        const exit = await p.exited;
        deepEqual([exit.code, exit.stderr], [code, ""], "exit code and stderr");
        deepEqual(lines(exit.stdout), [
          "ready",
          `reason:Cancelled (explicit): ${signal}`,
          "same-reason:true",
          "cleanup:done",
          `code:${code}`,
        ], "stdout");
      },
    );
  }

  scenario("SD-04", "SIGTERM gives 143 even when main swallows the cancellation and returns", "swallow", async (p) => {
    await p.line("ready");
    p.kill("SIGTERM");
    const exit = await p.exited;
    equal(exit.code, 143, "exit code");
    ok(lines(exit.stdout).includes("cleanup:done"), "cleanup ran");
  });

  scenario("SD-05", "a second signal ends a slow cleanup at once with the first signal's code", "double", async (p) => {
    // grace period 60 s: only the second signal can end it in time
    await p.line("ready");
    p.kill("SIGINT");
    await p.line("cleanup:start");
    p.kill("SIGTERM");
    const exit = await p.exited;
    equal(exit.code, 130, "exit code");
    ok(!exit.stdout.includes("cleanup:done"), "cleanup did not finish");
    match(exit.stderr, /received SIGTERM during shutdown; exiting with 130/, "stderr");
  });

  scenario("SD-06", "the grace period bounds a hung cleanup", "hung", async (p) => {
    // grace period 300 ms; the cleanup never ends
    await p.line("ready");
    p.kill("SIGTERM");
    const exit = await p.exited;
    equal(exit.code, 143, "exit code");
    ok(lines(exit.stdout).includes("cleanup:start"), "cleanup started");
    ok(!exit.stdout.includes("cleanup:done"), "cleanup did not finish");
    match(exit.stderr, /cleanup took longer than 300 ms; exiting with 143/, "stderr");
  });

  scenario(
    "SD-07",
    "an unhandled rejection cancels main, cleanup runs, exit 1, printed once",
    "unhandled",
    async (p) => {
      const exit = await p.exited;
      equal(exit.code, 1, "exit code");
      deepEqual(
        lines(exit.stdout),
        ["ready", "reason:Cancelled (explicit): a lost promise rejected", "same-reason:true", "cleanup:done", "code:1"],
        "stdout",
      );
      equal(count(exit.stderr, "a lost promise rejected"), 1, "printed once");
    },
  );

  scenario("SD-08", "an uncaught exception cancels main, cleanup runs, exit 1", "uncaught", async (p) => {
    const exit = await p.exited;
    equal(exit.code, 1, "exit code");
    ok(lines(exit.stdout).includes("cleanup:done"), "cleanup ran");
    equal(count(exit.stderr, "thrown in a timer callback"), 1, "printed once");
  });

  scenario("SD-09", "a failing main: exit 1, its suppressed and cause chain printed once", "failure", async (p) => {
    const exit = await p.exited;
    equal(exit.code, 1, "exit code");
    deepEqual(lines(exit.stdout), ["code:1"], "stdout");
    for (const part of ["SuppressedError: cleanup failed after an error", "close failed", "query failed"]) {
      equal(count(exit.stderr, part), 1, part);
    }
    match(exit.stderr, /\[suppressed\]:\n\s+Error: query failed[\s\S]*\[cause\]:\n\s+Error: connection reset/, "chain");
  });

  scenario("SD-10", "run() works twice in one process", "twice", async (p) => {
    await p.line("ready");
    p.kill("SIGINT");
    const exit = await p.exited;
    equal(exit.code, 130, "exit code");
    const out = lines(exit.stdout);
    ok(["first:0", "cleanup:done", "code:130"].every((l) => out.includes(l)), `stdout ${JSON.stringify(out)}`);
  });

  scenario(
    "SD-11",
    "after run() returns its listeners are gone: SIGINT takes the default action",
    "after",
    async (p) => {
      await p.line("ready");
      p.kill("SIGINT");
      const exit = await p.exited;
      deepEqual([exit.code, exit.signal], [null, "SIGINT"], "killed by the signal");
      deepEqual(lines(exit.stdout), ["code:0", "ready"], "stdout");
    },
  );

  scenario(
    "SD-12",
    "background timers and a cancelled sleep do not hold the process; a sleep does",
    "timers",
    async (p) => {
      const exit = await p.exited; // held for 50-60 s (killed by the watchdog) if an unref were missing
      deepEqual([exit.code, exit.stderr], [0, ""], "exit code and stderr");
      deepEqual(lines(exit.stdout), ["slept", "cancelled", "done"], "stdout");
    },
  );

  return cases;
}
