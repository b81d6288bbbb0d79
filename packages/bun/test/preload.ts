// Fail the run on any unhandled rejection or uncaught error, as vitest and
// Deno do: corral must never produce one.
const fail = (kind: string) => (error: unknown) => {
  console.error(`${kind}:`, error);
  process.exitCode = 1;
  throw error;
};
process.on("unhandledRejection", fail("Unhandled rejection"));
