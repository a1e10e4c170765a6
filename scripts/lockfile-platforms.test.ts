/**
 * package-lock.json resolves every system's native packages on its own (issue 17, item 14: a
 * clean clone's `npm install` added Hardhat's EDR bindings for the other systems to the lock).
 * The check itself is proved on small locks made here, and on the repository's lock with the holes
 * the committed lock had put back in.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  NEWCOMER_SYSTEMS,
  REPOSITORY_LOCK,
  lockfilePlatformProblems,
  platformPackagesFor,
  type LockEntry,
  type PackageLock,
} from "./lockfile-platforms.ts";

const repositoryLock = () => JSON.parse(readFileSync(REPOSITORY_LOCK, "utf8")) as PackageLock;
const label = (system: (typeof NEWCOMER_SYSTEMS)[number]) =>
  `${system.os}-${system.cpu}${system.libc === undefined ? "" : `-${system.libc}`}`;

/** A binding with one package per system, as napi-rs publishes them. */
function bindingLock(overrides: Record<string, LockEntry | undefined> = {}): PackageLock {
  const platform = (os: string, cpu: string, libc?: string): LockEntry => ({
    version: "1.0.0",
    integrity: `sha512-${os}${cpu}${libc ?? ""}`,
    optional: true,
    os: [os],
    cpu: [cpu],
    ...(libc === undefined ? {} : { libc: [libc] }),
  });
  const packages: Record<string, LockEntry | undefined> = {
    "": { optionalDependencies: {} },
    "node_modules/binding": {
      version: "1.0.0",
      integrity: "sha512-binding",
      optionalDependencies: {
        "binding-darwin-arm64": "1.0.0",
        "binding-linux-x64-gnu": "1.0.0",
        "binding-linux-x64-musl": "1.0.0",
        "binding-win32-x64-msvc": "1.0.0",
      },
    },
    "node_modules/binding-darwin-arm64": platform("darwin", "arm64"),
    "node_modules/binding-linux-x64-gnu": platform("linux", "x64", "glibc"),
    "node_modules/binding-linux-x64-musl": platform("linux", "x64", "musl"),
    "node_modules/binding-win32-x64-msvc": platform("win32", "x64"),
    ...overrides,
  };
  return {
    lockfileVersion: 3,
    packages: Object.fromEntries(Object.entries(packages).filter(([, entry]) => entry !== undefined)) as Record<
      string,
      LockEntry
    >,
  };
}

describe("the lock resolves every system's platform packages", () => {
  it("the repository's package-lock.json has no hole (read from its path)", () => {
    assert.deepEqual(lockfilePlatformProblems(REPOSITORY_LOCK), []);
  });

  for (const [host, what] of [
    ["node_modules/@nomicfoundation/edr", "Hardhat's EDR binding"],
    ["node_modules/next", "Next.js's compiler (SWC)"],
    ["node_modules/@tailwindcss/oxide", "Tailwind's engine (oxide)"],
  ] as const) {
    it(`${what} has a package for macOS, Windows and Linux (glibc, musl; x64, arm64)`, () => {
      const lock = repositoryLock();
      for (const system of NEWCOMER_SYSTEMS)
        assert.equal(platformPackagesFor(lock, host, system).length, 1, `${host} on ${label(system)}`);
    });
  }

  it("finds every hole of the lock committed before the fix (rebuilt: today's lock less what the fix added)", () => {
    // What the committed lock lacked: EDR's packages for all but x64 Linux, SWC's and oxide's for all
    // but x64 and arm64 Linux.
    const holes = [
      ...["darwin-arm64", "darwin-x64", "linux-arm64-gnu", "linux-arm64-musl", "win32-x64-msvc"].map(
        (system) => `@nomicfoundation/edr-${system}`,
      ),
      ...["darwin-arm64", "darwin-x64", "win32-arm64-msvc", "win32-x64-msvc"].map((system) => `@next/swc-${system}`),
      ...[
        "android-arm64",
        "darwin-arm64",
        "darwin-x64",
        "freebsd-x64",
        "linux-arm-gnueabihf",
        "wasm32-wasi",
        "win32-arm64-msvc",
        "win32-x64-msvc",
      ].map((system) => `@tailwindcss/oxide-${system}`),
    ];
    const lock = repositoryLock();
    for (const key of Object.keys(lock.packages!))
      if (holes.some((name) => key === `node_modules/${name}` || key.startsWith(`node_modules/${name}/`)))
        delete lock.packages![key];
    const problems = lockfilePlatformProblems(lock);
    assert.equal(problems.length, holes.length, problems.join("\n"));
    for (const name of holes)
      assert.ok(
        problems.some(
          (problem) =>
            problem.includes(`optional dependency ${name}@`) && problem.includes(`has no node_modules/${name} entry`),
        ),
        name,
      );
    for (const host of ["node_modules/@nomicfoundation/edr", "node_modules/next", "node_modules/@tailwindcss/oxide"])
      assert.deepEqual(platformPackagesFor(lock, host, { os: "darwin", cpu: "arm64" }), [], host);
  });

  it("passes a complete binding, and resolves each system to its one package", () => {
    assert.deepEqual(lockfilePlatformProblems(bindingLock()), []);
    const lock = bindingLock();
    assert.deepEqual(platformPackagesFor(lock, "node_modules/binding", { os: "linux", cpu: "x64", libc: "musl" }), [
      "node_modules/binding-linux-x64-musl",
    ]);
    assert.deepEqual(platformPackagesFor(lock, "node_modules/binding", { os: "darwin", cpu: "x64" }), []);
  });

  it("names a missing platform package", () => {
    const problems = lockfilePlatformProblems(bindingLock({ "node_modules/binding-darwin-arm64": undefined }));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^node_modules\/binding: optional dependency binding-darwin-arm64@1\.0\.0 has no/);
  });

  it("wants a version (the exact one declared) and an integrity hash", () => {
    const darwin = bindingLock().packages!["node_modules/binding-darwin-arm64"]!;
    const { version: _version, ...withoutVersion } = darwin;
    const { integrity: _integrity, ...withoutIntegrity } = darwin;
    assert.match(
      lockfilePlatformProblems(bindingLock({ "node_modules/binding-darwin-arm64": withoutVersion })).join("\n"),
      /binding-darwin-arm64 \(node_modules\/binding-darwin-arm64\) has no version/,
    );
    assert.match(
      lockfilePlatformProblems(bindingLock({ "node_modules/binding-darwin-arm64": withoutIntegrity })).join("\n"),
      /has no integrity hash/,
    );
    assert.match(
      lockfilePlatformProblems(
        bindingLock({ "node_modules/binding-darwin-arm64": { ...darwin, version: "0.9.0" } }),
      ).join("\n"),
      /is locked at 0\.9\.0, not the 1\.0\.0 it declares/,
    );
  });

  it("wants a platform package optional, with its systems as lists of names", () => {
    const darwin = bindingLock().packages!["node_modules/binding-darwin-arm64"]!;
    assert.match(
      lockfilePlatformProblems(
        bindingLock({ "node_modules/binding-darwin-arm64": { ...darwin, optional: false } }),
      ).join("\n"),
      /not marked optional/,
    );
    assert.match(
      lockfilePlatformProblems(bindingLock({ "node_modules/binding-darwin-arm64": { ...darwin, os: "darwin" } })).join(
        "\n",
      ),
      /"os" is not a list of names/,
    );
  });

  it("resolves as Node does: the host's own node_modules first, then the enclosing ones", () => {
    const nested = bindingLock({
      "node_modules/tool/node_modules/binding": bindingLock().packages!["node_modules/binding"],
      "node_modules/tool/node_modules/binding-win32-x64-msvc": {
        version: "1.0.0",
        integrity: "sha512-nested",
        optional: true,
        os: ["win32"],
        cpu: ["x64"],
      },
    });
    assert.deepEqual(lockfilePlatformProblems(nested), []);
    assert.deepEqual(platformPackagesFor(nested, "node_modules/tool/node_modules/binding", NEWCOMER_SYSTEMS[2]!), [
      "node_modules/tool/node_modules/binding-win32-x64-msvc",
    ]);
  });

  it("refuses a lock without a packages map (lockfileVersion 1)", () => {
    assert.equal(lockfilePlatformProblems({ lockfileVersion: 1 }).length, 1);
  });
});
