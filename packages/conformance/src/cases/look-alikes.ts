// Errors that look like corral's cancellation but are not one, shared by the
// cases that check that cancellation is recognised by identity, never by name
// (task groups, cancel scopes, timeouts).
import type { Corral } from "../harness.ts";

/**
 * Errors that look like corral's cancellation but are not one: a domain
 * error named "Cancelled", a class called Cancelled with a `kind`, and a
 * `Cancelled` the user made (it is `instanceof` corral's, but no scope or
 * group of corral's was cancelled with it).
 */
export function lookAlikes(c: Corral): Error[] {
  class OrderCancelled extends Error {
    override get name(): string {
      return "Cancelled";
    }
  }
  class Cancelled extends Error {
    readonly kind = "parent";
    override get name(): string {
      return "Cancelled";
    }
  }
  return [
    new OrderCancelled("order 7 was cancelled by the customer"),
    new Cancelled("another library's cancellation"),
    new c.Cancelled("parent", { message: "made by the user, caused by nothing corral cancelled" }),
  ];
}
