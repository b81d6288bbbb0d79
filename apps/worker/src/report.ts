// Failures as a person reads them: one line with the whole chain of causes,
// a hint when there is something to do, and a stack trace only for what
// looks like a bug in the program. Everything is plain text, formatted here:
// no object goes through a runtime's console inspector (which colours some
// of what it prints).

/** A service the worker could not reach at start-up, with where its address came from. */
export class Unreachable extends Error {
  override readonly name = "Unreachable";
  /** What to do about it. */
  readonly hint: string;

  constructor(what: string, hint: string, cause: unknown) {
    super(`cannot reach ${what}`, { cause });
    this.hint = hint;
  }
}

/** `host:port` of a service URL (never its credentials), with the protocol's default port. */
export function address(url: string, defaultPort: number): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || defaultPort}`;
  } catch {
    return "an address that is not a valid URL";
  }
}

/** An error's message followed by those of everything it carries (cause, suppressed, errors), on one line. */
export function describeError(error: unknown, depth = 0): string {
  if (depth > 8) return "…";
  if (!(error instanceof Error)) return typeof error === "string" ? error : String(JSON.stringify(error) ?? error);
  const carried = error as Error & { error?: unknown; suppressed?: unknown };
  // A driver's ConnectError already names the service, its address and where that came from: it stands alone.
  if (error.name === "Unreachable" && (error.cause as Error | undefined)?.name === "ConnectError") {
    return describeError(error.cause, depth + 1);
  }
  const plain = error.name === "Error" || error.name === "Unreachable" || error.name === "ConnectError";
  let text = error.message === "" ? error.name : plain ? error.message : `${error.name}: ${error.message}`;
  if (error.name === "SuppressedError" && "suppressed" in carried) {
    text = `${describeError(carried.error, depth + 1)} (then, while cleaning up: ${
      describeError(carried.suppressed, depth + 1)
    })`;
  } else if (error instanceof AggregateError && error.errors.length > 0) {
    text += ` [${error.errors.map((e: unknown) => describeError(e, depth + 1)).join("; ")}]`;
  }
  if (error.cause !== undefined) {
    const cause = describeError(error.cause, depth + 1);
    // A message that already ends with its cause's (a driver's ConnectError does) says it once.
    if (!text.endsWith(`: ${cause}`)) text += `: ${cause}`;
  }
  return text;
}

/** What the worker prints when it stops on a failure. */
export function describeFailure(error: unknown): string {
  let text = `error: ${describeError(error)}`;
  if (error instanceof Unreachable) text += `\nhint: ${error.hint}`;
  // A TypeError or ReferenceError is a bug in the program: show where.
  if ((error instanceof TypeError || error instanceof ReferenceError) && error.stack) text += `\n${error.stack}`;
  return text;
}
