// The shared shutdown checks (@corral/conformance's checkShutdown), each
// scenario a `deno run` child process.
import { checkShutdown } from "@corral/conformance";

const entry = new URL("./fixtures/shutdown.ts", import.meta.url).pathname;
const cwd = new URL("..", import.meta.url).pathname;

checkShutdown({
  test: (name, fn) => Deno.test(name, fn),
  runtime: `Deno ${Deno.version.deno}`,
  spawn(scenario) {
    const args = ["run", "-A", entry, scenario];
    const child = new Deno.Command(Deno.execPath(), { args, cwd, stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
    return {
      stdout: child.stdout.pipeThrough(new TextDecoderStream()),
      stderr: child.stderr.pipeThrough(new TextDecoderStream()),
      kill: (signal) => child.kill(signal),
      exit: child.status.then((s) => ({ code: s.signal ? null : s.code, signal: s.signal })),
    };
  },
});
