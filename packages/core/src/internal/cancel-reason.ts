// The `Cancelled` that an explicit `cancel(reason?)` carries: the text of
// the reason in the message, the value itself as the cause (the same shape
// CancelScope.cancel() produces).

import { Cancelled } from "../errors.ts";

export function cancelledBy(reason: unknown): Cancelled {
  if (reason === undefined) return new Cancelled("explicit");
  const message = reason instanceof Error ? reason.message : String(reason);
  return new Cancelled("explicit", { message, cause: reason });
}
