/**
 * `npm run pedigree -- keystore ...` as an operator runs it: the keystore it writes is one the
 * server unlocks (the same variables, the same code), it never overwrites a file, and it refuses
 * weak passphrases before spending the seconds scrypt takes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { repositoryRoot } from "../src/server/db/database.ts";
import { signersFromEnv } from "../src/server/signer/signer.ts";
import { TEST_PRIVATE_KEYS } from "./support/chain.ts";

const CLI = path.join(repositoryRoot(), "scripts/pedigree.ts");
const PASSPHRASE = "a long enough passphrase for tests";

function cli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("pedigree keystore", () => {
  let dir: string;
  let passphraseFile: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pedigree-keystore-cli-"));
    passphraseFile = path.join(dir, "passphrase");
    await writeFile(passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("creates a keystore of a new key that the server unlocks with the same passphrase file", async () => {
    const out = path.join(dir, "org.json");
    const run = await cli(
      ["keystore", "create", "--out", out],
      { PEDIGREE_KEYSTORE_PASSPHRASE_FILE: passphraseFile },
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    const address = /Wrote the keystore of (0x[0-9a-fA-F]{40})/.exec(run.stdout)?.[1];
    assert.ok(address, run.stdout);
    assert.equal((await stat(out)).mode & 0o777, 0o600, "readable by its owner only");
    const [signer] = await signersFromEnv({
      PEDIGREE_KEYSTORE: out,
      PEDIGREE_KEYSTORE_PASSPHRASE_FILE: passphraseFile,
    });
    assert.equal(signer?.address, address);
    const shown = await cli(["keystore", "address", out], {}, dir);
    assert.equal(shown.code, 0);
    assert.equal(shown.stdout.trim(), address);
    // Never over an existing keystore: the key in it would be lost.
    const before = await readFile(out, "utf8");
    const again = await cli(["keystore", "create", "--out", out], { PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE }, dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; a keystore is never overwritten/);
    assert.equal(await readFile(out, "utf8"), before);
  });

  it("imports an existing key from PEDIGREE_PRIVATE_KEY, or a local test account", async () => {
    const key = TEST_PRIVATE_KEYS[2] as Hex;
    const imported = path.join(dir, "imported.json");
    const run = await cli(
      ["keystore", "create", "--out", imported, "--import"],
      { PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE, PEDIGREE_PRIVATE_KEY: key },
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(privateKeyToAccount(key).address));
    const demo = path.join(dir, "demo.json");
    const fromDemo = await cli(
      ["keystore", "create", "--out", demo, "--demo-account", "2"],
      { PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE },
      dir,
    );
    assert.equal(fromDemo.code, 0, fromDemo.stderr);
    // Hardhat's test mnemonic's account 2 is the chain's third funded account.
    assert.match(fromDemo.stdout, new RegExp(privateKeyToAccount(key).address));
  });

  it("refuses a weak or missing passphrase and a bad key, writing nothing", async () => {
    const out = path.join(dir, "weak.json");
    const weak = await cli(["keystore", "create", "--out", out], { PEDIGREE_KEYSTORE_PASSPHRASE: "short" }, dir);
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /use at least 12/);
    const none = await cli(["keystore", "create", "--out", out], {}, dir);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /PEDIGREE_KEYSTORE_PASSPHRASE_FILE/);
    const badKey = await cli(
      ["keystore", "create", "--out", out, "--import"],
      { PEDIGREE_KEYSTORE_PASSPHRASE: PASSPHRASE, PEDIGREE_PRIVATE_KEY: "0x1234" },
      dir,
    );
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /0x followed by 64 hex digits/);
    assert.equal(existsSync(out), false);
    const unknown = await cli(["keystore", "rotate"], {}, dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown keystore command 'rotate'/);
  });
});
