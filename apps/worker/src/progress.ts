// A live progress line while the worker runs, as an AsyncDisposable.
// On a terminal the line is rewritten in place (4 times a second); otherwise
// — output redirected, NO_COLOR set, or TERM=dumb — a plain line is printed
// each second it has changed, with no escape sequence at all. Disposing it
// stops the reporter, waits for it, and prints the final line: the state once
// the work has ended, so the last thing it shows is true.
import { CancelScope, shield, sleep } from "@corral/core";
import { describeError } from "./report.ts";
import type { Shell } from "./shell.ts";

/** Builds the line; it may query (the queue's depth) and must stop when `signal` aborts. */
export type ProgressLine = (signal: AbortSignal) => Promise<string>;

/** Whether the progress line may rewrite itself: a terminal that accepts escape sequences. */
export function rewritesInPlace(shell: Pick<Shell, "env" | "stdout">): boolean {
  return shell.stdout.isTerminal && !shell.env("NO_COLOR") && shell.env("TERM") !== "dumb";
}

export function startProgress(shell: Pick<Shell, "env" | "stdout">, line: ProgressLine): AsyncDisposable {
  const rewrite = rewritesInPlace(shell);
  let last: string | undefined;
  const show = async (text: string): Promise<void> => {
    if (rewrite) await shell.stdout.write(`\r\x1b[2K${text}`);
    else if (text !== last) console.log(text); // a log line says it once
    last = text;
  };
  // Shielded: shutdown does not stop the line while jobs drain; disposing does.
  const scope = new CancelScope({ shield: true });
  const done = scope.run(async (signal) => {
    for (;;) {
      await sleep(rewrite ? 250 : 1_000, { signal });
      const text = await line(signal);
      signal.throwIfAborted();
      await show(text);
    }
  });
  return {
    async [Symbol.asyncDispose]() {
      scope.cancel("worker stopping");
      await done;
      // Bounded, and on its own signal: the final line never holds up the exit.
      const text = await shield((signal) => line(signal), { timeout: 2_000 })
        .catch((error: unknown) => `progress unavailable: ${describeError(error)}`);
      await show(text);
      if (rewrite) await shell.stdout.write("\n");
    },
  };
}
