/**
 * The credentials a distributor holds for the responders it asks: the API credential each
 * manufacturer issued it (their POST /api/vrs-credentials), stored sealed (../security/secret-box.ts)
 * and never given back through the API, which shows only its last four characters.
 *
 * - GET /api/vrs-requester-credentials: the signed-in distributor's, without the tokens;
 * - PUT /api/vrs-requester-credentials {responderUrl, token, label?}: stores (or replaces) the one for a responder;
 * - DELETE /api/vrs-requester-credentials/{id}: forgets one.
 */
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { requireContentType } from "../auth/origin.ts";
import { readBodyAs } from "../auth/requestBody.ts";
import { requireParty } from "../auth/session.ts";
import type { AppContext } from "../context.ts";
import type { Executor } from "../db/database.ts";
import { vrsRequesterCredentials } from "../db/schema.ts";
import { parseQuery } from "../read/input.ts";
import { open, seal, SecretKeyMissing, secretKeyFromEnv } from "../security/secret-box.ts";
import { requireResponderUrl } from "./client.ts";
import type { RequesterCredentialView } from "../../lib/api/vrs.ts";

export type { RequesterCredentialView };

const view = (row: typeof vrsRequesterCredentials.$inferSelect): RequesterCredentialView => ({
  id: row.id,
  responderUrl: row.responderUrl,
  label: row.label,
  tokenHint: row.tokenHint,
  storedAt: row.storedAt.toISOString(),
});

/** What a sealed token is bound to: a token copied into another distributor's or responder's row does not open. */
const sealContext = (holder: string, responderUrl: string) => `vrs-requester-credential\n${holder}\n${responderUrl}`;

/** The server's secret key, or 503 saying the operator must set it. */
function secretKey(): Buffer {
  try {
    return secretKeyFromEnv();
  } catch (error) {
    if (error instanceof SecretKeyMissing) {
      throw new ApiError(503, "SECRET_KEY_MISSING", `This server cannot keep credentials: ${error.message}`);
    }
    throw error;
  }
}

export async function storeRequesterCredential(
  db: Executor,
  holder: string,
  input: { responderUrl: string; token: string; label: string },
  now: Date,
  key: Buffer = secretKey(),
): Promise<RequesterCredentialView> {
  const owner = holder.toLowerCase();
  const sealedToken = seal(input.token, sealContext(owner, input.responderUrl), key);
  const values = { label: input.label, sealedToken, tokenHint: `…${input.token.slice(-4)}`, storedAt: now };
  const [row] = await db
    .insert(vrsRequesterCredentials)
    .values({ holder: owner, responderUrl: input.responderUrl, ...values })
    .onConflictDoUpdate({
      target: [vrsRequesterCredentials.holder, vrsRequesterCredentials.responderUrl],
      set: values,
    })
    .returning();
  return view(row!);
}

/** The token `holder` keeps for `responderUrl`, opened; undefined when it keeps none. */
export async function requesterToken(
  ctx: AppContext,
  holder: string,
  responderUrl: string,
): Promise<string | undefined> {
  const owner = holder.toLowerCase();
  const [row] = await ctx.db
    .select()
    .from(vrsRequesterCredentials)
    .where(and(eq(vrsRequesterCredentials.holder, owner), eq(vrsRequesterCredentials.responderUrl, responderUrl)));
  if (row === undefined) return undefined;
  try {
    return open(row.sealedToken, sealContext(owner, responderUrl), secretKey());
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      409,
      "CREDENTIAL_UNREADABLE",
      `Your credential for ${responderUrl} cannot be used: ${(error as Error).message}`,
    );
  }
}

const token = z
  .string()
  .min(8, "at least 8 characters")
  .max(4096, "at most 4096 characters")
  .regex(/^[\x21-\x7e]+$/, "visible ASCII characters only, no spaces");
const putBody = z
  .object({
    responderUrl: z.string().min(1).max(500),
    token,
    label: z
      .string()
      .trim()
      .max(120, "at most 120 characters")
      .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), "no control characters")
      .optional(),
  })
  .strict();

export async function requesterCredentialsResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireParty(ctx, request, ["DISTRIBUTOR"]);
  parseQuery(z.object({}).strict(), new URL(request.url).searchParams);
  const rows = await ctx.db
    .select()
    .from(vrsRequesterCredentials)
    .where(eq(vrsRequesterCredentials.holder, party.address.toLowerCase()))
    .orderBy(desc(vrsRequesterCredentials.id));
  return jsonResponse({ credentials: rows.map(view) });
}

export async function putRequesterCredentialResponse(ctx: AppContext, request: Request): Promise<Response> {
  const party = await requireParty(ctx, request, ["DISTRIBUTOR"]);
  requireContentType(request, ["application/json"], "A credential");
  const body = await readBodyAs(request, putBody, {
    maxBytes: 8192,
    what: "A credential",
    expected:
      "Send JSON {responderUrl, token, label?}: the responder's base URL and the API credential its manufacturer issued you.",
  });
  const responderUrl = requireResponderUrl(body.responderUrl);
  const stored = await storeRequesterCredential(
    ctx.db,
    party.address,
    { responderUrl, token: body.token, label: body.label || new URL(responderUrl).host },
    ctx.now(),
  );
  return jsonResponse(stored);
}

export async function deleteRequesterCredentialResponse(
  ctx: AppContext,
  request: Request,
  rawId: string,
): Promise<Response> {
  const party = await requireParty(ctx, request, ["DISTRIBUTOR"]);
  const id = /^[1-9]\d{0,8}$/.test(rawId) ? Number(rawId) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new ApiError(400, "INVALID_ID", `A credential is named by its number (got '${rawId.slice(0, 40)}').`);
  }
  const [row] = await ctx.db
    .delete(vrsRequesterCredentials)
    .where(and(eq(vrsRequesterCredentials.id, id), eq(vrsRequesterCredentials.holder, party.address.toLowerCase())))
    .returning();
  if (row === undefined) throw new ApiError(404, "CREDENTIAL_NOT_FOUND", `You keep no credential number ${id}.`);
  return jsonResponse({ deleted: view(row) });
}
