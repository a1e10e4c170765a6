/**
 * Does package-lock.json resolve every system's native packages on its own? Packages that ship a
 * native binary (Hardhat's EDR binding, Next.js's compiler, Tailwind's engine, esbuild...) list one
 * package per system as optionalDependencies, each marked with `os`/`cpu` (and `libc` on Linux),
 * and npm installs the one that fits. npm records all of them in the lock, whatever system wrote
 * it, unless the lock was written from an incomplete tree: then the lock holds only the systems
 * that tree had, and an install on macOS, Windows or another Linux (arm64, musl) finds its package
 * missing, so it either goes without the binary or resolves it from the registry and rewrites the
 * lock. This check finds such holes: every optional dependency of every package in the lock must
 * have its own entry (with a version, the declared one when the range is exact, and an integrity
 * hash), and every platform package among them must carry its systems and be optional.
 *
 *   node scripts/lockfile-platforms.ts [path/to/package-lock.json]   (default: the repository's)
 *
 * prints each problem and exits 1 when there is one. scripts/lockfile-platforms.test.ts runs it in
 * `npm test`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  inBundle?: boolean;
  optional?: boolean;
  os?: unknown;
  cpu?: unknown;
  libc?: unknown;
  optionalDependencies?: Record<string, string>;
}

export interface PackageLock {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

/** One system as npm tells them apart: `process.platform`, `process.arch`, and on Linux the C library. */
export interface System {
  os: string;
  cpu: string;
  libc?: "glibc" | "musl";
}

/** The systems a newcomer is likely to clone on: macOS, Windows, and Linux with glibc or musl, x64 and arm64. */
export const NEWCOMER_SYSTEMS: readonly System[] = [
  { os: "darwin", cpu: "arm64" },
  { os: "darwin", cpu: "x64" },
  { os: "win32", cpu: "x64" },
  { os: "linux", cpu: "x64", libc: "glibc" },
  { os: "linux", cpu: "x64", libc: "musl" },
  { os: "linux", cpu: "arm64", libc: "glibc" },
  { os: "linux", cpu: "arm64", libc: "musl" },
];

export const REPOSITORY_LOCK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../package-lock.json");

function load(lock: string | PackageLock): PackageLock {
  return typeof lock === "string" ? (JSON.parse(readFileSync(lock, "utf8")) as PackageLock) : lock;
}

/**
 * Where Node (and npm) find `name` when `from` requires it: `from`'s own node_modules, then each
 * enclosing node_modules up to the root's. `from` is a key of the lock's `packages` ("" for the root).
 */
export function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (base === "") return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string" && item !== "");

/** A platform package: one whose lock entry names the systems it installs on. */
export const isPlatformSpecific = (entry: LockEntry): boolean =>
  entry.os !== undefined || entry.cpu !== undefined || entry.libc !== undefined;

/** Every problem found, one sentence each; none when every system's packages resolve from the lock alone. */
export function lockfilePlatformProblems(lock: string | PackageLock): string[] {
  const { lockfileVersion, packages } = load(lock);
  if (packages === undefined || (lockfileVersion ?? 0) < 2)
    return [`lockfileVersion ${lockfileVersion ?? "?"} has no "packages" map (npm 7 or later writes version 2 or 3)`];
  const problems: string[] = [];
  for (const [location, host] of Object.entries(packages)) {
    if (host.link === true || host.optionalDependencies === undefined) continue;
    const hostName = location === "" ? "the root package" : location;
    for (const [name, range] of Object.entries(host.optionalDependencies)) {
      const at = resolveInLock(packages, location, name);
      if (at === undefined) {
        problems.push(
          `${hostName}: optional dependency ${name}@${range} has no node_modules/${name} entry (an install on a system it serves goes without it, or resolves it from the registry and rewrites the lock)`,
        );
        continue;
      }
      const target = packages[at]!;
      if (target.link === true) continue;
      const where = `${hostName}: optional dependency ${name} (${at})`;
      if (typeof target.version !== "string" || target.version === "") problems.push(`${where} has no version`);
      else if (/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(range) && target.version !== range)
        problems.push(`${where} is locked at ${target.version}, not the ${range} it declares`);
      if (target.inBundle !== true && (typeof target.integrity !== "string" || target.integrity === ""))
        problems.push(`${where} has no integrity hash`);
      if (!isPlatformSpecific(target)) continue;
      for (const field of ["os", "cpu", "libc"] as const)
        if (target[field] !== undefined && !isStringList(target[field]))
          problems.push(`${where}: "${field}" is not a list of names: ${JSON.stringify(target[field])}`);
      if (target.optional !== true)
        problems.push(
          `${where} names its systems but is not marked optional: an install on any other system fails (EBADPLATFORM)`,
        );
    }
  }
  return problems;
}

/** Does npm consider `entry` installable on `system`? (its os/cpu/libc lists, "!" excluding) */
export function installsOn(entry: LockEntry, system: System): boolean {
  const allows = (list: unknown, value: string | undefined) => {
    if (!isStringList(list)) return true;
    if (value === undefined) return false;
    if (list.includes(`!${value}`)) return false;
    const positive = list.filter((item) => !item.startsWith("!"));
    return positive.length === 0 || positive.includes(value);
  };
  return (
    allows(entry.os, system.os) &&
    allows(entry.cpu, system.cpu) &&
    (system.os !== "linux" || allows(entry.libc, system.libc))
  );
}

/** The lock keys of `hostLocation`'s optional platform packages that install on `system`. */
export function platformPackagesFor(lock: string | PackageLock, hostLocation: string, system: System): string[] {
  const { packages = {} } = load(lock);
  const host = packages[hostLocation];
  if (host === undefined) throw new Error(`${hostLocation} is not in the lock`);
  return Object.keys(host.optionalDependencies ?? {})
    .map((name) => resolveInLock(packages, hostLocation, name))
    .filter((at): at is string => at !== undefined)
    .filter((at) => isPlatformSpecific(packages[at]!) && installsOn(packages[at]!, system));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lockPath = path.resolve(process.argv[2] ?? REPOSITORY_LOCK);
  const problems = lockfilePlatformProblems(lockPath);
  for (const problem of problems) console.error(problem);
  console.log(
    problems.length === 0
      ? `${lockPath}: every optional platform package resolves from the lock`
      : `${lockPath}: ${problems.length} problem(s)`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}
