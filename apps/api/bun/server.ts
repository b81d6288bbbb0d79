// The HTTP server on Bun: Bun.serve. stop() stops accepting and lets open
// requests finish; stop(true) closes every connection.
// Known limitation: Bun has no way to stop listening without also closing
// idle kept-alive connections, so a client that is just sending its next
// request on one when stop() runs is reset (measured by
// test/api.integration.test.ts, which allows exactly that on Bun). Bun's
// node:http does the same. Behind a load balancer that honours /ready this
// does not arise: by then no client sends new requests.
import type { Fetch, HttpServer } from "../src/shell.ts";

/** How long close() lets open requests finish before it closes their connections. */
const CLOSE_GRACE_MS = 2_000;

export function serve(host: string, port: number, fetch: Fetch): Promise<HttpServer> {
  const server = Bun.serve({ hostname: host, port, fetch: (request) => fetch(request) });
  let stopping: Promise<void> | undefined;
  const stop = () => stopping ??= Promise.resolve(server.stop(false));
  return Promise.resolve({
    url: `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`,
    stopAccepting: () => void stop(),
    close: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((done) => (timer = setTimeout(() => done(true), CLOSE_GRACE_MS)));
      if (await Promise.race([stop().then(() => false), late])) await server.stop(true);
      clearTimeout(timer);
    },
  });
}
