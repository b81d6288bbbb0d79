// A live progress line while the worker runs (rewritten in place on a
// terminal, one line a second otherwise), as an AsyncDisposable: disposing
// it stops the reporter and waits for it.
import { CancelScope, sleep } from "@corral/bun";

export function startProgress(line: (signal: AbortSignal) => Promise<string>): AsyncDisposable {
  // Shielded: shutdown does not stop the line while jobs drain; disposing does.
  const scope = new CancelScope({ shield: true });
  const tty = process.stdout.isTTY === true;
  const done = scope.run(async (signal) => {
    for (;;) {
      await sleep(tty ? 250 : 1_000, { signal });
      const text = await line(signal).catch((error: unknown) => `progress unavailable: ${String(error)}`);
      if (tty) await Bun.write(Bun.stdout, `\r\x1b[2K${text}`);
      else console.log(text);
    }
  });
  return {
    async [Symbol.asyncDispose]() {
      scope.cancel("worker stopping");
      await done;
      if (tty) await Bun.write(Bun.stdout, "\n");
    },
  };
}
