// The shared shutdown checks (@corral/conformance's checkShutdown), each
// scenario a `bun` child process.
import { test } from "bun:test";
import { checkShutdown } from "@corral/conformance";

const entry = new URL("./fixtures/shutdown.ts", import.meta.url).pathname;
const cwd = new URL("..", import.meta.url).pathname;

checkShutdown({
  test: (name, fn) => test(name, fn, 60_000),
  runtime: `Bun ${Bun.version}`,
  spawn(scenario) {
    const args = [process.execPath, "--conditions=@corral/source", entry, scenario];
    const child = Bun.spawn(args, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    return {
      stdout: child.stdout.pipeThrough(new TextDecoderStream()),
      stderr: child.stderr.pipeThrough(new TextDecoderStream()),
      kill: (signal) => child.kill(signal),
      exit: child.exited.then(() => ({ code: child.exitCode, signal: child.signalCode })),
    };
  },
});
