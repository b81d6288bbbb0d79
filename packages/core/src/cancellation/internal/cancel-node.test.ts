import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CancelNode, nodeOf, Watcher } from "./cancel-node.ts";
import { live } from "../../base/live.ts";

class Probe extends Watcher {
  reasons: unknown[] = [];
  onAbort(reason: unknown): void {
    this.reasons.push(reason);
  }
}

describe("CancelNode", () => {
  test("creates no AbortController until .signal is read, then maps it back", () => {
    const node = new CancelNode();
    expect(node.hasSignal).toBe(false);
    const signal = node.signal;
    expect(node.hasSignal).toBe(true);
    expect(node.signal).toBe(signal);
    expect(nodeOf(signal)).toBe(node);
  });

  test("the node behind a signal leaves no trace on the signal, and a foreign signal has none", () => {
    const node = new CancelNode();
    const signal = node.signal;
    expect(Object.getOwnPropertySymbols(signal)).toEqual(Object.getOwnPropertySymbols(new AbortController().signal));
    expect(Object.getOwnPropertyNames(signal)).toEqual(Object.getOwnPropertyNames(new AbortController().signal));
    expect(nodeOf(new AbortController().signal)).toBe(undefined);
    expect(nodeOf(new CancelNode().signal)).not.toBe(node);
  });

  test("a signal read after cancellation is already aborted with the reason", () => {
    const node = new CancelNode();
    node.cancel("why");
    expect(node.signal.aborted).toBe(true);
    expect(node.signal.reason).toBe("why");
  });

  test("cancel notifies every watcher once, keeps the first reason, and frees the links", () => {
    const node = new CancelNode();
    const probes = Array.from({ length: 5 }, () => new Probe());
    for (const p of probes) expect(p.attach(node)).toBeUndefined();
    expect(live.links).toBe(5);
    expect(node.cancel("first")).toBe(true);
    expect(node.cancel("second")).toBe(false);
    expect(probes.every((p) => p.reasons.length === 1 && p.reasons[0] === "first")).toBe(true);
    expect(live.links).toBe(0);
  });

  test("a watcher that detaches others during the walk cannot break it", () => {
    const node = new CancelNode();
    const later = new Probe();
    class Detacher extends Watcher {
      onAbort(): void {
        later.detach();
      }
    }
    const first = new Detacher();
    first.attach(node);
    later.attach(node);
    node.cancel("x");
    expect(later.reasons).toEqual(["x"]);
    expect(live.links).toBe(0);
  });

  test("attach to an aborted target returns its reason without attaching", () => {
    const node = new CancelNode();
    node.cancel("gone");
    const probe = new Probe();
    expect(probe.attach(node)).toBe("gone");
    expect(probe.attach(AbortSignal.abort("also gone"))).toBe("also gone");
    expect(live.links + live.listeners).toBe(0);
  });

  test("a foreign signal is watched with one listener, removed on detach or abort", () => {
    const controller = new AbortController();
    const a = new Probe();
    const b = new Probe();
    a.attach(controller.signal);
    b.attach(controller.signal);
    expect(live.listeners).toBe(2);
    a.detach();
    expect(live.listeners).toBe(1);
    controller.abort("stop");
    expect(b.reasons).toEqual(["stop"]);
    expect(a.reasons).toEqual([]);
    expect(live.listeners).toBe(0);
  });

  test("any interleaving of attach/detach/cancel balances the books (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 100 }), (ops) => {
        const node = new CancelNode();
        const attached: Probe[] = [];
        for (const op of ops) {
          if (op === 0) {
            const p = new Probe();
            if (p.attach(node) === undefined) attached.push(p);
          } else if (op === 1 && attached.length) attached.pop()!.detach();
          else if (op === 2) node.cancel("c");
        }
        for (const p of attached) p.detach();
        expect(live.links).toBe(0);
        expect(attached.every((p) => p.reasons.length <= 1)).toBe(true);
      }),
    );
  });
});
