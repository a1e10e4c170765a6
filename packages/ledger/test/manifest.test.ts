import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildManifest } from "../src/manifest/manifest.ts";
import { parseSerialList } from "../src/manifest/serialList.ts";
import { SerialTree } from "../src/manifest/serialTree.ts";

describe("buildManifest", () => {
  const parsed = parseSerialList("serial\nPK-001\nPK-002\nA/B+C\nZ9\n");
  assert.ok(parsed.ok);
  const manifest = buildManifest(parsed.serials);

  it("commits to the list with the same root as OpenZeppelin's StandardMerkleTree of (index, serial)", () => {
    const reference = StandardMerkleTree.of(
      parsed.serials.map((serial, index) => [index, serial]),
      ["uint256", "string"],
    );
    assert.equal(manifest.root, reference.root);
    assert.equal(manifest.root, SerialTree.build(parsed.serials).root);
    assert.equal(manifest.count, 4);
    assert.equal(manifest.tree.size, 4);
    assert.deepEqual(manifest.serials, ["PK-001", "PK-002", "A/B+C", "Z9"]);
  });

  it("finds a serial's index (its position in the list) and a proof the contract's verification accepts", () => {
    assert.equal(manifest.indexOf("PK-001"), 0);
    assert.equal(manifest.indexOf("A/B+C"), 2);
    assert.equal(manifest.indexOf("PK-003"), undefined);
    assert.equal(manifest.proofFor("PK-003"), undefined);
    for (const serial of parsed.serials) {
      const pack = manifest.proofFor(serial);
      assert.ok(pack);
      assert.equal(pack.serial, serial);
      assert.equal(
        StandardMerkleTree.verify(manifest.root, ["uint256", "string"], [pack.index, serial], pack.proof),
        true,
        serial,
      );
    }
  });

  it("keeps its own copy of the list", () => {
    const list = ["A", "B"];
    const own = buildManifest(list);
    list[0] = "C";
    assert.equal(own.indexOf("A"), 0);
    assert.deepEqual(own.serials, ["A", "B"]);
    assert.ok(Object.isFrozen(own.serials));
  });

  it("refuses an empty list, invalid serials and duplicates, naming the index", () => {
    assert.throws(() => buildManifest([]), /at least one serial/);
    assert.throws(() => buildManifest(["A", "B C"]), /Serial at index 1: the serial contains a space.*parseSerialList/);
    assert.throws(() => buildManifest(["A", "x".repeat(21)]), /index 1: the serial has 21 characters/);
    assert.throws(() => buildManifest(["A", "B", "A"]), /Serial A appears at index 0 and again at index 2/);
  });
});
