// The status server on Deno.serve. Disposing it aborts the server's signal
// (it stops accepting and closes idle connections) and waits for `finished`,
// when the last request has ended.
import { type StatusHandler, type StatusServer, TEXT_CONTENT_TYPE } from "../src/shell.ts";

export function startStatusServer(port: number, handle: StatusHandler): Promise<StatusServer> {
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    signal: controller.signal,
    // Replaces Deno's own "Listening on …" line: the banner prints the URL.
    onListen: () => {},
  }, (request) => {
    const reply = handle(request.method, new URL(request.url).pathname);
    if (reply.text !== undefined) {
      return new Response(reply.text, { status: reply.status, headers: { "content-type": TEXT_CONTENT_TYPE } });
    }
    return reply.json === null
      ? new Response(null, { status: reply.status })
      : new Response(reply.json, { status: reply.status, headers: { "content-type": "application/json" } });
  });
  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  });
}
