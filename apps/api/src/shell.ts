// What the API needs from its runtime, and nothing more. Everything in src/
// is written once against this interface, @corral/core, @corral/hono and the
// drivers; each runtime shell (node/, deno/, bun/) implements it with that
// runtime's own HTTP server and calls runApi() inside its adapter's run().

/** The runtime, as the adapter's `runtime` export describes it. */
export interface RuntimeInfo {
  readonly name: string;
  readonly version: string;
}

/** A request handler: Hono's `app.fetch`. */
export type Fetch = (request: Request) => Response | Promise<Response>;

/** A listening HTTP server. */
export interface HttpServer {
  /** Where it listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /**
   * Stops accepting connections; connections already open stay open, so a
   * request in flight (or about to arrive on a kept-alive connection) is
   * answered, with `Connection: close`, instead of meeting a closed socket.
   */
  stopAccepting(): void;
  /** Closes every connection still open and resolves once the server is closed. Idempotent. */
  close(): Promise<void>;
}

/** A runtime shell: configuration source and HTTP server. */
export interface Shell {
  readonly runtime: RuntimeInfo;
  /** One environment variable's value; undefined when it is not set. */
  env(name: string): string | undefined;
  /** Listens on `host`:`port` (0: any free port) and answers every request with `fetch`. */
  serve(host: string, port: number, fetch: Fetch): Promise<HttpServer>;
}
