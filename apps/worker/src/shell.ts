// What the worker needs from its runtime, and nothing more. Everything in
// src/ is written once against this interface and @corral/core; each runtime
// shell (node/, deno/, bun/) implements it with that runtime's own APIs and
// calls runWorker() inside its adapter's run().

/** The runtime, as the adapter's `runtime` export describes it. */
export interface RuntimeInfo {
  readonly name: string;
  readonly version: string;
}

/** Standard output, for the live progress line. */
export interface Stdout {
  /** True when standard output is a terminal (then the progress line is rewritten in place). */
  readonly isTerminal: boolean;
  /** Writes `text` as is (no newline added); resolves, if it returns a promise, once written. */
  write(text: string): void | Promise<void>;
}

/** One answer of the status server: the HTTP status and a JSON body (null: no body), or a text body. */
export interface StatusReply {
  status: 200 | 404;
  json: string | null;
  /** A plain-text body instead (`text/plain; version=0.0.4`: the Prometheus format), when present. */
  text?: string;
}

/** The content type of a text reply (Prometheus' text exposition format). */
export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Answers one request to the status server; the shell's server only writes the reply out. */
export type StatusHandler = (method: string, pathname: string) => StatusReply;

/** A running status server; disposing it stops it (no new connections, idle ones closed). */
export interface StatusServer extends AsyncDisposable {
  /** Where it listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}

/** A runtime shell: configuration source, status server and standard output. */
export interface Shell {
  readonly runtime: RuntimeInfo;
  /** One environment variable's value; undefined when it is not set. */
  env(name: string): string | undefined;
  /** This machine's name (the default `WORKER_ID` is `<runtime>-<hostname>`); called only when needed. */
  hostname(): string;
  readonly stdout: Stdout;
  /** Listens on 127.0.0.1:`port` (0: any free port) and answers every request with `handle`. */
  startStatusServer(port: number, handle: StatusHandler): Promise<StatusServer>;
}
