/**
 * The runtime-agnostic heart of the adapters' `run()` (Python's
 * `asyncio.run`): a root scope for the program, graceful shutdown on
 * signals, one exit code. Each adapter (`@corral/node`, `@corral/deno`,
 * `@corral/bun`) supplies a {@linkcode RunPlatform} and exposes
 * `run(main, options)`; applications call that, not this.
 *
 * Guarantees:
 * - `main(signal)` runs inside a root scope: `currentSignal()` is `signal`
 *   there, and scopes and waits created without a signal inherit it.
 * - The first listened-for signal cancels the root scope with a `Cancelled`
 *   of kind `"explicit"` whose `cause` is the signal's name (`"SIGINT"`), and
 *   starts the grace period. A second signal, or the grace period passing,
 *   ends the process at once.
 * - An unhandled rejection or uncaught exception while it runs is printed,
 *   cancels the root scope (its `Cancelled` has the error as `cause`), and
 *   makes the run a failure.
 * - Exit code: 128 + the signal's number once a signal arrived (SIGINT 130,
 *   SIGTERM 143, SIGHUP 129, SIGQUIT 131), whatever `main` does then;
 *   otherwise 1 after a failure, 0 after success. Each failure is printed
 *   once, with its `cause`, `suppressed` and `errors` chain.
 * - It sets the exit code and resolves with it; it never rethrows `main`'s
 *   error. Everything it installed (listeners, the grace timer) is removed
 *   before it resolves, so a program may call it again.
 *
 * @module
 */

import { CancelScope } from "../cancellation/cancel-scope.ts";
import { formatError } from "../base/format-error.ts";
import { schedule, type TimerEntry, unschedule } from "../base/scheduler.ts";
import { checkFunction, checkNonNegativeTime, checkOptions, describe } from "../base/validate.ts";
import { now } from "../base/clock.ts";
import { hooks } from "../base/runtime.ts";

/** The process signals `run()` can shut down on; portable numbers, so the exit codes are too. */
export type ShutdownSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGQUIT";

const EXIT_CODES: Readonly<Record<ShutdownSignal, number>> = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 };
const DEFAULT_SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM"];
const DEFAULT_GRACE_PERIOD = 10_000;

/** Options for the adapters' `run()`. */
export interface RunOptions {
  /**
   * Milliseconds that cleanup may take after the first signal (or an
   * unhandled error) before the process is ended anyway. Default 10,000;
   * `Infinity` waits for a second signal; `0` ends it at once. Negative is a
   * `RangeError`.
   */
  gracePeriod?: number;
  /** The signals that start a graceful shutdown. Default `["SIGINT", "SIGTERM"]`; `[]` listens to none. */
  signals?: readonly ShutdownSignal[];
}

/** What a runtime adapter provides to {@linkcode runMain}. */
export interface RunPlatform {
  /** Listens for a process signal; returns a function that stops listening. */
  onSignal(name: ShutdownSignal, handler: () => void): () => void;
  /** Ends the process at once with `code`. */
  exit(code: number): void;
  /** Sets the code the process exits with when it ends on its own. */
  setExitCode(code: number): void;
  /** Listens for unhandled rejections and uncaught exceptions (and keeps them from ending the process). */
  onUnhandled(handler: (error: unknown) => void): () => void;
  /** Writes a block of text to standard error. */
  printError(text: string): void;
}

/**
 * Runs `main(signal)` as a program's root scope on `platform` and sets the
 * exit code. See the module doc for the guarantees. Adapters wrap it as
 * `run(main, options)`.
 *
 * @param platform the runtime's signals, exit and error reporting
 * @param main the program; receives the root scope's signal
 * @param options the grace period and the signals to listen to
 * @returns the exit code it set
 * @throws {TypeError} when `main` is not a function or an option has the wrong type
 * @throws {RangeError} when `gracePeriod` is negative or NaN, or `signals` names an unsupported signal
 * @example A platform that records instead of exiting (as a test would)
 * ```ts
 * import assert from "node:assert/strict";
 * import { runMain, type RunPlatform } from "@corral/core";
 * const printed: string[] = [];
 * const platform: RunPlatform = {
 *   onSignal: () => () => {},
 *   exit: () => {},
 *   setExitCode: () => {},
 *   onUnhandled: () => () => {},
 *   printError: (text) => printed.push(text),
 * };
 * const code = await runMain(platform, () => {
 *   throw new Error("config missing", { cause: new Error("ENOENT") });
 * });
 * assert(code === 1 && printed.length === 1 && printed[0]!.includes("ENOENT"));
 * ```
 */
export async function runMain(
  platform: RunPlatform,
  main: (signal: AbortSignal) => unknown,
  options?: RunOptions,
): Promise<number> {
  const what = "run";
  checkFunction(what, "main", main);
  checkOptions(what, options);
  const grace = options?.gracePeriod === undefined
    ? DEFAULT_GRACE_PERIOD
    : checkNonNegativeTime(what, "gracePeriod", options.gracePeriod);
  const signals = checkSignals(what, options?.signals);

  // A root: never a child of whatever scope run() itself was called in.
  const context = hooks.context;
  const root = context === undefined ? new CancelScope() : context.run(undefined, () => new CancelScope());
  let signalled: ShutdownSignal | undefined;
  let failed = false;
  let timer: TimerEntry | undefined;
  const printed = new Set<unknown>();
  const code = (): number => signalled !== undefined ? EXIT_CODES[signalled] : failed ? 1 : 0;

  const print = (error: unknown, prefix: string): void => {
    if (typeof error === "object" && error !== null) {
      if (printed.has(error)) return;
      printed.add(error);
    }
    platform.printError(prefix + formatError(error));
  };
  const forceExit = (why: string): void => {
    platform.printError(`corral: ${why}; exiting with ${code()} without waiting for cleanup`);
    platform.exit(code());
  };
  const shutDown = (reason: unknown): void => {
    root.cancel(reason);
    if (timer !== undefined) return;
    if (grace === 0) forceExit("the grace period is 0");
    else if (grace !== Infinity) {
      // On corral's scheduler, which takes any duration (a host setTimeout
      // fires after 1 ms past 2^31-1 ms). keepAlive on purpose: while cleanup
      // is running the program waits on it, and a cleanup hung on nothing
      // must still end with the right code.
      timer = {
        deadline: now() + grace,
        index: -1,
        keepAlive: true,
        fire: () => forceExit(`cleanup took longer than ${grace} ms`),
      };
      schedule(timer);
    }
  };

  const stops: (() => void)[] = [];
  try {
    for (const name of signals) {
      stops.push(platform.onSignal(name, () => {
        if (signalled !== undefined) return forceExit(`received ${name} during shutdown`);
        signalled = name;
        shutDown(name);
      }));
    }
    stops.push(platform.onUnhandled((error) => {
      failed = true;
      print(error, "corral: an unhandled error cancels main:\n");
      shutDown(error);
    }));
    await root.run(main);
  } catch (error) {
    failed = true;
    print(error, "");
  } finally {
    for (const stop of stops) stop();
    if (timer !== undefined) unschedule(timer);
  }
  const result = code();
  platform.setExitCode(result);
  return result;
}

function checkSignals(what: string, value: unknown): readonly ShutdownSignal[] {
  if (value === undefined) return DEFAULT_SIGNALS;
  if (!Array.isArray(value)) {
    throw new TypeError(`Cannot ${what} as 'signals' must be an array of signal names: received ${describe(value)}`);
  }
  for (const name of value) {
    if (typeof name !== "string" || !Object.hasOwn(EXIT_CODES, name)) {
      throw new RangeError(
        `Cannot ${what} as 'signals' must contain only "SIGINT", "SIGTERM", "SIGHUP" or "SIGQUIT": received ${
          describe(name)
        }`,
      );
    }
  }
  return [...new Set(value as ShutdownSignal[])];
}
