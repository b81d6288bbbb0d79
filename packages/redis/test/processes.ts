// Child processes for the multi-process cases, through node:child_process
// (Node, Deno and Bun all provide it).
import { type ChildProcess, spawn } from "node:child_process";

export interface Worker {
  /** Resolves once the child printed a line starting with `text`; rejects if it exits first. */
  line(text: string): Promise<string>;
  /** Resolves with the exit code (or signal name) once the child is gone. */
  readonly exited: Promise<number | string>;
  kill(signal: "SIGKILL" | "SIGTERM"): void;
  /** True once the child exited. */
  readonly done: boolean;
  output(): string;
}

export function startWorker(command: string[]): Worker {
  const [program, ...args] = command;
  const child: ChildProcess = spawn(program!, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let gone = false;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout!.on("data", (chunk) => {
    out += chunk;
    notify();
  });
  child.stderr!.on("data", (chunk) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      gone = true;
      notify();
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    exited,
    get done() {
      return gone;
    },
    kill: (signal) => child.kill(signal),
    output: () => `stdout:\n${out}\nstderr:\n${err}`,
    line(text) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = out.split("\n").find((l) => l.startsWith(text));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          } else if (gone) {
            waiters.delete(check);
            reject(new Error(`worker exited before printing "${text}"\n${out}\n${err}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
