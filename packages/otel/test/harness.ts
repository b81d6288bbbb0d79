// One case list, run by each runtime's own test runner (test/node, test/deno, test/bun).
export type Case = [name: string, fn: () => Promise<void> | void];
