// postgres 3 counts a query's rows in one counter per connection and resets
// it only when a statement completes. A query the server fails after it has
// sent rows (a cancelled statement, an error on a later row) leaves the
// counter where it was, and the next query on the connection stores its
// rows from there: its result starts with holes (porsager/postgres#1119,
// #1181; postgres 4 is not affected). corral packs such a result before its
// caller sees it. A hole is never a row (rows are objects or arrays), so a
// result whose first entry is missing is one to pack.

/** Removes the leading holes from a result (and from the first result of several statements). */
export function dense<T>(value: T): T {
  if (!Array.isArray(value) || value.length === 0) return value;
  if (!(0 in value)) pack(value);
  else if ((value as { command?: unknown }).command === undefined && Array.isArray(value[0])) {
    // Several statements' results (an array of results): only the first can have holes.
    const first = value[0] as unknown[];
    if (first.length !== 0 && !(0 in first)) pack(first);
  }
  return value;
}

function pack(rows: unknown[]): void {
  let i = 1;
  while (i < rows.length && !(i in rows)) i++;
  rows.splice(0, i);
}

/** A cursor's first chunk is stored the same way: its callback gets the chunk packed. */
export function denseCursor(q: { cursorFn?: unknown; dense?: boolean }): void {
  const fn = q.cursorFn as (rows: unknown[]) => unknown;
  q.dense = true;
  q.cursorFn = (rows: unknown[]) => fn(dense(rows));
}
