// The progress line: rewritten in place only on a terminal that takes escape
// sequences, plain lines otherwise; and its last line, printed when it is
// disposed, shows the state after the work, not a sample taken during it.
import { sleep } from "@corral/core";
import { afterEach, expect, test, vi } from "vitest";
import { rewritesInPlace, startProgress } from "../src/progress.ts";
import type { Shell } from "../src/shell.ts";

function fakeShell(isTerminal: boolean, env: Record<string, string> = {}) {
  const written: string[] = [];
  const shell: Pick<Shell, "env" | "stdout"> = {
    env: (name) => env[name],
    stdout: { isTerminal, write: (text) => void written.push(text) },
  };
  return { shell, written };
}

afterEach(() => vi.restoreAllMocks());

test("the line is rewritten in place only on a terminal, without NO_COLOR, and not with TERM=dumb", () => {
  expect(rewritesInPlace(fakeShell(true).shell)).toBe(true);
  expect(rewritesInPlace(fakeShell(false).shell)).toBe(false);
  expect(rewritesInPlace(fakeShell(true, { NO_COLOR: "1" }).shell)).toBe(false);
  expect(rewritesInPlace(fakeShell(true, { NO_COLOR: "" }).shell)).toBe(true);
  expect(rewritesInPlace(fakeShell(true, { TERM: "dumb" }).shell)).toBe(false);
});

test("disposing prints the final state once, after the work ended (plain lines when not a terminal)", async () => {
  const logged: string[] = [];
  vi.spyOn(console, "log").mockImplementation((text: string) => void logged.push(text));
  const { shell, written } = fakeShell(false);
  let done = 0;
  const progress = startProgress(shell, () => Promise.resolve(`done ${done}`));
  done = 5; // the work ends before the first tick
  await progress[Symbol.asyncDispose]();
  expect(logged).toEqual(["done 5"]);
  expect(written).toEqual([]);
});

test("when not a terminal, a final line that repeats the last one is not printed again", async () => {
  const logged: string[] = [];
  vi.spyOn(console, "log").mockImplementation((text: string) => void logged.push(text));
  const { shell } = fakeShell(false);
  const progress = startProgress(shell, () => Promise.resolve("done 3"));
  await vi.waitFor(() => expect(logged).toEqual(["done 3"]), { timeout: 5_000 });
  await progress[Symbol.asyncDispose]();
  expect(logged).toEqual(["done 3"]);
});

test("on a terminal the final line replaces the live one and ends with a newline", async () => {
  const { shell, written } = fakeShell(true);
  let done = 0;
  const progress = startProgress(shell, () => Promise.resolve(`done ${done}`));
  await vi.waitFor(() => expect(written.length).toBeGreaterThan(0), { timeout: 5_000 });
  done = 7;
  await progress[Symbol.asyncDispose]();
  expect(written.slice(-2)).toEqual(["\r\x1b[2Kdone 7", "\n"]);
  expect(written.slice(0, -2).every((text) => text.startsWith("\r\x1b[2K"))).toBe(true);
});

test("a line cut short by disposal is not printed; a failing final line says so and still ends the line", async () => {
  const { shell, written } = fakeShell(true);
  let calls = 0;
  const progress = startProgress(shell, async (signal) => {
    calls++;
    if (calls === 1) {
      await sleep(60_000, { signal }); // the first tick is in flight when disposal starts
      return "never shown";
    }
    throw new Error("queue unreachable");
  });
  await vi.waitFor(() => expect(calls).toBe(1), { timeout: 5_000 });
  await progress[Symbol.asyncDispose]();
  expect(written).toEqual(["\r\x1b[2Kprogress unavailable: queue unreachable", "\n"]);
});
