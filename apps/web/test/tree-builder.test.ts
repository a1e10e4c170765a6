/**
 * The serial tree built on worker threads (treeBuilder.ts) is the tree SerialTree.build gives,
 * and building it leaves the event loop free to answer requests.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSerials, SerialTree } from "@pedigree/ledger";
import { buildSerialTree, OFF_THREAD_FROM } from "../src/server/manifests/treeBuilder.ts";

const serialsOf = (count: number) => generateSerials({ count, seed: new Uint8Array(32).fill(count % 251) });

function assertSameTree(actual: SerialTree, expected: SerialTree): void {
  assert.equal(actual.root, expected.root);
  assert.equal(actual.size, expected.size);
  assert.deepEqual(actual.nodeBytes(0, actual.nodeCount), expected.nodeBytes(0, expected.nodeCount));
  for (const index of [0, 1, Math.floor(expected.size / 2), expected.size - 1]) {
    assert.equal(actual.leafPosition(index), expected.leafPosition(index), `position of serial ${index}`);
    assert.deepEqual(actual.proof(index), expected.proof(index), `proof of serial ${index}`);
  }
}

describe("the serial tree, built off the main thread", () => {
  it("is the tree SerialTree.build gives, for lists split evenly and unevenly between the threads", async () => {
    for (const count of [OFF_THREAD_FROM, OFF_THREAD_FROM + 1, 100_003]) {
      const serials = serialsOf(count);
      assertSameTree(await buildSerialTree(serials), SerialTree.build(serials));
    }
  });

  it("builds small lists in place, with the same result", async () => {
    const serials = serialsOf(5);
    assertSameTree(await buildSerialTree(serials), SerialTree.build(serials));
  });

  it("builds in place, with the same result, when its workers cannot run", async (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    const serials = serialsOf(OFF_THREAD_FROM + 7);
    const tree = await buildSerialTree(serials, { workerScript: "/nonexistent/treeWorker.ts" });
    assertSameTree(tree, SerialTree.build(serials));
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /worker threads failed .*building it in place/);
  });

  it("leaves the event loop free while it hashes (built in place, 400,000 serials hold it for seconds)", async () => {
    const serials = serialsOf(400_000);
    // The longest gap between the ticks of a 10 ms timer while the tree is built.
    let last = performance.now();
    let longestMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestMs = Math.max(longestMs, now - last);
      last = now;
    }, 10);
    try {
      await buildSerialTree(serials);
      await new Promise((resolve) => setTimeout(resolve, 30)); // a last tick after the build
    } finally {
      clearInterval(ticker);
    }
    assert.ok(longestMs < 1_000, `the event loop was held for ${longestMs.toFixed(0)} ms at once`);
  });
});
