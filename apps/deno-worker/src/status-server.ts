// The status server: GET /health and GET /stats (JSON), on Deno.serve.
// Disposing it aborts the server's signal (it stops accepting and closes idle
// connections) and waits for `finished`, when the last request has ended.

export interface StatusServer extends AsyncDisposable {
  url: string;
}

export function startStatusServer(port: number, stats: () => unknown): StatusServer {
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    signal: controller.signal,
    // Replaces Deno's own "Listening on …" line: the banner prints the URL.
    onListen: () => {},
  }, (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/health") return Response.json({ status: "ok" });
    if (request.method === "GET" && pathname === "/stats") return Response.json(stats());
    return new Response(null, { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  };
}
