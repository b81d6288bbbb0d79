// The HTTP server on Deno: Deno.serve. Its shutdown() stops accepting and
// lets every open request finish, then closes the connections.
import type { Fetch, HttpServer } from "../src/shell.ts";

/** How long close() waits for the graceful shutdown before it gives up on it. */
const CLOSE_GRACE_MS = 2_000;

export function serve(host: string, port: number, fetch: Fetch): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    try {
      const server = Deno.serve({
        hostname: host,
        port,
        onListen: ({ port: bound }) => {
          let shutdown: Promise<void> | undefined;
          const stop = () => shutdown ??= server.shutdown();
          resolve({
            url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
            stopAccepting: () => void stop(),
            close: async () => {
              let timer: ReturnType<typeof setTimeout> | undefined;
              const late = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_GRACE_MS)));
              await Promise.race([stop(), late]);
              clearTimeout(timer);
            },
          });
        },
      }, (request) => fetch(request));
    } catch (error) {
      reject(error);
    }
  });
}
