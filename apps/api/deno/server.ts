// The HTTP server on Deno: @hono/node-server on Deno's node:http, like the
// Node shell — not Deno.serve. The reason is shutdown: Deno.serve's
// shutdown() is the only way to stop it accepting, and it closes idle
// kept-alive connections at once, so a client that is just sending its next
// request on one is reset (measured by test/api.integration.test.ts: a
// UND_ERR_SOCKET a few ms after SIGTERM). node:http can stop listening and
// leave open connections to end after a `Connection: close` reply.
export { serve } from "../node/server.ts";
