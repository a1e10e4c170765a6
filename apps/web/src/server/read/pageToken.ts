/**
 * Opaque page tokens for keyset paging: the sort key of the last row served, bound to the filters
 * it was issued for (a token reused with other filters would skip or repeat rows, so it is
 * refused). Base64url JSON; not secret, only opaque.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { ApiError } from "../api/errors.ts";

/**
 * The values a key may hold, bounded by the columns they are compared with: a token is not
 * signed, and a value its column's type cannot hold (2147483648 for an integer) would fail the
 * query itself, a 500, where a forged token deserves the 400 below.
 */
export const pageKey = {
  /** A PostgreSQL integer column (serial ids, log indexes). */
  integer: z.number().int().min(0).max(2_147_483_647),
  /** A bigint column read as a JavaScript number (block numbers). */
  bigint: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** A text column: PostgreSQL text holds no NUL character. */
  text: z
    .string()
    .max(256)
    .regex(/^[^\0]*$/),
};

function filterHash(fingerprint: string): string {
  return createHash("sha256").update(fingerprint).digest("base64url").slice(0, 12);
}

export function encodePageToken(key: readonly unknown[], fingerprint: string): string {
  return Buffer.from(JSON.stringify({ k: key, f: filterHash(fingerprint) })).toString("base64url");
}

export function decodePageToken<T extends z.ZodType>(token: string, fingerprint: string, keySchema: T): z.output<T> {
  const invalid = (why: string) =>
    new ApiError(
      400,
      "INVALID_PAGE_TOKEN",
      `The page token is not valid ${why}. Start again from the first page (without the token).`,
      {
        details: { parameter: "nextPageToken" },
      },
    );
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) throw new Error("not base64url");
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid("(it was altered or cut short)");
  }
  const shape = decoded as { k?: unknown; f?: unknown } | null;
  if (typeof shape !== "object" || shape === null || typeof shape.f !== "string")
    throw invalid("(it was altered or cut short)");
  if (shape.f !== filterHash(fingerprint)) throw invalid("for these filters (it was issued for a different query)");
  const key = keySchema.safeParse(shape.k);
  if (!key.success) throw invalid("(it was altered or cut short)");
  return key.data;
}
