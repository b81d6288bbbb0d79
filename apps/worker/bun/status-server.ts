// The status server on Bun.serve. Disposing it stops the listener and waits
// for requests in flight to end.
import { type StatusHandler, type StatusServer, TEXT_CONTENT_TYPE } from "../src/shell.ts";

export function startStatusServer(port: number, handle: StatusHandler): Promise<StatusServer> {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    fetch(request) {
      const reply = handle(request.method, new URL(request.url).pathname);
      if (reply.text !== undefined) {
        return new Response(reply.text, { status: reply.status, headers: { "content-type": TEXT_CONTENT_TYPE } });
      }
      return reply.json === null
        ? new Response(null, { status: reply.status })
        : new Response(reply.json, { status: reply.status, headers: { "content-type": "application/json" } });
    },
  });
  return Promise.resolve({
    url: `http://127.0.0.1:${server.port}`,
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  });
}
