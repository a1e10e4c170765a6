/**
 * The VRS lookup directory: which responder answers for a GTIN (docs/INTEROP.md, "The lookup
 * directory"). An entry names a GTIN (14 digits) or a GS1 company prefix (6 to 12 digits, matched
 * on the GTIN's digits after its indicator digit); the longest entry matching a GTIN wins, so a
 * manufacturer can send one product to another responder than the rest of its prefix.
 *
 * - GET /api/vrs-directory[?gtin=]: every entry, or the one answering for `gtin` (any participant);
 * - PUT /api/vrs-directory {prefix, responderUrl}: adds or changes an entry (its manufacturer);
 * - DELETE /api/vrs-directory/{prefix}: removes one (its manufacturer).
 *
 * A manufacturer owns a company prefix the ledger assigned it (or a longer prefix inside it, when
 * no other manufacturer's prefix lies inside that), and a GTIN under such a prefix or whose product
 * it registered. Ownership is read from the read model, which follows the ledger's events.
 */
import { isValidGtin } from "@pedigree/gs1";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { requireContentType } from "../auth/origin.ts";
import { readBodyAs } from "../auth/requestBody.ts";
import { requireParty } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { companyPrefixes, products, vrsDirectory } from "../db/schema.ts";
import { parseQuery } from "../read/input.ts";
import { requireResponderUrl } from "./client.ts";
import type { DirectoryEntry } from "../../lib/api/vrs.ts";

export type { DirectoryEntry };

const view = (row: typeof vrsDirectory.$inferSelect): DirectoryEntry => ({
  prefix: row.prefix,
  kind: row.prefix.length === 14 ? "gtin" : "companyPrefix",
  manufacturer: row.manufacturer,
  responderUrl: row.responderUrl,
  updatedAt: row.updatedAt.toISOString(),
});

const prefixSchema = z
  .string()
  .regex(/^\d{6,12}$|^\d{14}$/, "a GS1 company prefix (6 to 12 digits) or a GTIN (14 digits)")
  .refine((value) => value.length !== 14 || isValidGtin(value), "the GTIN's check digit is wrong");

/** The entry answering for `gtin`: the GTIN's own, else the longest company prefix of its digits after the indicator. */
export async function responderFor(db: Executor, gtin: string): Promise<DirectoryEntry | undefined> {
  const [row] = await db
    .select()
    .from(vrsDirectory)
    .where(
      sql`${vrsDirectory.prefix} = ${gtin} or (length(${vrsDirectory.prefix}) < 14 and starts_with(${gtin.slice(1)}, ${vrsDirectory.prefix}))`,
    )
    .orderBy(desc(sql`length(${vrsDirectory.prefix})`))
    .limit(1);
  return row === undefined ? undefined : view(row);
}

/** Why `manufacturer` may not hold the entry `prefix`, or undefined when it may. */
async function ownershipProblem(db: Executor, manufacturer: string, prefix: string): Promise<string | undefined> {
  const digits = prefix.length === 14 ? prefix.slice(1) : prefix;
  const [owned] = await db
    .select({ prefix: companyPrefixes.prefix })
    .from(companyPrefixes)
    .where(and(eq(companyPrefixes.manufacturer, manufacturer), sql`starts_with(${digits}, ${companyPrefixes.prefix})`))
    .limit(1);
  if (prefix.length === 14) {
    if (owned !== undefined) return undefined;
    const [product] = await db.select().from(products).where(eq(products.gtin, prefix));
    if (product?.manufacturer === manufacturer) return undefined;
    return product === undefined
      ? `GTIN ${prefix} is not under a company prefix of yours, and no product of yours has it.`
      : `GTIN ${prefix} is another manufacturer's product.`;
  }
  if (owned === undefined) return `${prefix} is not a company prefix the ledger assigned you, nor inside one.`;
  const [inside] = await db
    .select({ prefix: companyPrefixes.prefix })
    .from(companyPrefixes)
    .where(and(ne(companyPrefixes.manufacturer, manufacturer), sql`starts_with(${companyPrefixes.prefix}, ${prefix})`))
    .limit(1);
  if (inside !== undefined) return `${prefix} would cover company prefix ${inside.prefix}, another manufacturer's.`;
  return undefined;
}

function notOwned(prefix: string, problem: string): ApiError {
  return new ApiError(403, "PREFIX_NOT_YOURS", `You may not register a responder for ${prefix}: ${problem}`, {
    details: { prefix },
  });
}

const putBody = z.object({ prefix: prefixSchema, responderUrl: z.string().min(1).max(500) }).strict();

export async function directoryResponse(ctx: AppContext, request: Request): Promise<Response> {
  await requireParty(ctx, request, ["MANUFACTURER", "DISTRIBUTOR", "PHARMACY", "REGULATOR"]);
  const query = parseQuery(
    z
      .object({
        gtin: z
          .string()
          .regex(/^\d{14}$/, "a GTIN-14")
          .refine(isValidGtin, "the GTIN's check digit is wrong")
          .optional(),
      })
      .strict(),
    new URL(request.url).searchParams,
  );
  if (query.gtin !== undefined) {
    const entry = await responderFor(ctx.db, query.gtin);
    if (entry === undefined) {
      throw new ApiError(
        404,
        "NO_RESPONDER",
        `The directory names no responder for GTIN ${query.gtin}: its manufacturer registers one (PUT /api/vrs-directory).`,
      );
    }
    return jsonResponse(entry);
  }
  const rows = await ctx.db.select().from(vrsDirectory).orderBy(vrsDirectory.prefix);
  return jsonResponse({ entries: rows.map(view) });
}

export async function putDirectoryEntryResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireParty(ctx, request, ["MANUFACTURER"]);
  requireContentType(request, ["application/json"], "A directory entry");
  const body = await readBodyAs(request, putBody, {
    maxBytes: 4096,
    what: "A directory entry",
    expected:
      "Send JSON {prefix, responderUrl}: your GS1 company prefix (6 to 12 digits) or GTIN (14), and your responder's base URL.",
  });
  const responderUrl = requireResponderUrl(body.responderUrl);
  const manufacturer = party.address.toLowerCase();
  const { prefix } = body;
  const problem = await ownershipProblem(ctx.db, manufacturer, prefix);
  if (problem !== undefined) throw notOwned(prefix, problem);
  const [row] = await ctx.db
    .insert(vrsDirectory)
    .values({ prefix, manufacturer, responderUrl, updatedAt: ctx.now() })
    .onConflictDoUpdate({ target: vrsDirectory.prefix, set: { manufacturer, responderUrl, updatedAt: ctx.now() } })
    .returning();
  return jsonResponse(view(row!));
}

export async function deleteDirectoryEntryResponse(ctx: AppContext, request: Request, raw: string): Promise<Response> {
  const party = await requireParty(ctx, request, ["MANUFACTURER"]);
  const prefix = prefixSchema.safeParse(raw);
  if (!prefix.success) {
    throw new ApiError(400, "INVALID_PREFIX", `'${raw.slice(0, 20)}' is not ${prefix.error.issues[0]?.message}.`);
  }
  const manufacturer = party.address.toLowerCase();
  const [row] = await ctx.db.select().from(vrsDirectory).where(eq(vrsDirectory.prefix, prefix.data));
  if (row === undefined) throw new ApiError(404, "ENTRY_NOT_FOUND", `The directory has no entry for ${prefix.data}.`);
  if (row.manufacturer !== manufacturer) {
    // The ledger may have moved the prefix to this manufacturer since the entry was made.
    const problem = await ownershipProblem(ctx.db, manufacturer, prefix.data);
    if (problem !== undefined) throw notOwned(prefix.data, problem);
  }
  await ctx.db.delete(vrsDirectory).where(eq(vrsDirectory.prefix, prefix.data));
  return jsonResponse({ deleted: view(row) });
}
