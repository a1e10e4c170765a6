/**
 * Authorized-trading-partner presentations (the Open Credentialing Initiative's model): a requester
 * proves who it is and that it is a DSCSA authorized trading partner with a W3C verifiable
 * presentation, as a JWT, holding an identity credential and a DSCSA ATP credential, each a JWT
 * signed by an issuer this responder trusts. Every signature and claim is checked by `jose`; no JWT
 * is taken apart here by hand.
 *
 * What is checked, and refused (403) when it fails:
 * - the presentation: signed by its holder (`iss`, a `did:jwk` DID, whose key is the DID itself; the
 *   header's `kid`, when given, names that DID), issued within PEDIGREE_VRS_ATP_MAX_AGE_SECONDS (default
 *   300) and not expired, its `nonce` equal to the request's corrUUID (so it cannot be replayed for
 *   another request);
 * - each credential: signed by a trusted issuer (PEDIGREE_VRS_TRUSTED_ISSUERS), about the holder
 *   (`sub` or `credentialSubject.id`), not expired nor before its `nbf`, not on the revocation list
 *   PEDIGREE_VRS_REVOKED_CREDENTIALS (by `jti` or `vc.id`);
 * - both kinds present (`IdentityCredential`, `DSCSAATPCredential` in `vc.type`), and the request's
 *   reqGLN among the GLNs their subjects name (`credentialSubject.gln`, a string or a list).
 *
 * PEDIGREE_VRS_TRUSTED_ISSUERS is JSON: a list of `{ "id": "<issuer DID>", "name": "...", "jwk": {...} }`,
 * the public key each issuer signs with (`jwk` may be left out for a `did:jwk` issuer).
 */
import { base64url, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from "jose";

export const IDENTITY_CREDENTIAL = "IdentityCredential";
export const ATP_CREDENTIAL = "DSCSAATPCredential";
const ALGORITHMS = ["ES256", "ES384", "ES512", "EdDSA", "Ed25519", "PS256", "RS256"];
const CLOCK_TOLERANCE_S = 60;
const DEFAULT_MAX_AGE_S = 300;

export interface TrustedIssuer {
  id: string;
  name?: string;
  jwk?: JWK;
}

export interface AtpPresentation {
  /** The holder's DID. */
  holder: string;
  /** The GLNs the credentials name for the holder. */
  glns: string[];
  /** Which issuers vouched, by DID. */
  issuers: string[];
}

/** Why a presentation was refused, in words a partner's integrator can act on. */
export class AtpRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AtpRefusal";
  }
}

type VerifyingKey = Awaited<ReturnType<typeof importJWK>>;

interface IssuerConfig {
  issuers: Map<string, TrustedIssuer>;
  revoked: Set<string>;
  maxAgeSeconds: number;
  keys: Map<string, Promise<VerifyingKey>>;
}

let configCache: { source: string; config: IssuerConfig } | undefined;

/** The trusted issuers and revocations from the environment, read once per distinct setting. */
export function issuerConfig(env: NodeJS.ProcessEnv = process.env): IssuerConfig {
  const source = [
    env.PEDIGREE_VRS_TRUSTED_ISSUERS ?? "",
    env.PEDIGREE_VRS_REVOKED_CREDENTIALS ?? "",
    env.PEDIGREE_VRS_ATP_MAX_AGE_SECONDS ?? "",
  ].join("\u0000");
  if (configCache?.source === source) return configCache.config;
  const issuers = new Map<string, TrustedIssuer>();
  const text = (env.PEDIGREE_VRS_TRUSTED_ISSUERS ?? "").trim();
  if (text !== "") {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      throw new Error("PEDIGREE_VRS_TRUSTED_ISSUERS must be JSON: a list of {id, name, jwk} (see docs/INTEROP.md).");
    }
    if (!Array.isArray(list)) throw new Error("PEDIGREE_VRS_TRUSTED_ISSUERS must be a JSON list of {id, name, jwk}.");
    for (const entry of list as unknown[]) {
      const issuer = entry as TrustedIssuer;
      if (typeof issuer?.id !== "string" || !issuer.id.startsWith("did:")) {
        throw new Error(
          "Each entry of PEDIGREE_VRS_TRUSTED_ISSUERS needs an id that is a DID (did:web:..., did:jwk:...).",
        );
      }
      if (issuer.jwk === undefined && !issuer.id.startsWith("did:jwk:")) {
        throw new Error(
          `The trusted issuer ${issuer.id} needs its public key as jwk (only a did:jwk DID carries its own).`,
        );
      }
      issuers.set(issuer.id, issuer);
    }
  }
  const revoked = new Set(
    (env.PEDIGREE_VRS_REVOKED_CREDENTIALS ?? "")
      .split(/[\s,]+/)
      .map((id) => id.trim())
      .filter((id) => id !== ""),
  );
  const maxAge = Number(env.PEDIGREE_VRS_ATP_MAX_AGE_SECONDS ?? DEFAULT_MAX_AGE_S);
  if (!Number.isSafeInteger(maxAge) || maxAge < 1) {
    throw new Error(
      `PEDIGREE_VRS_ATP_MAX_AGE_SECONDS must be a whole number of seconds (got '${env.PEDIGREE_VRS_ATP_MAX_AGE_SECONDS}').`,
    );
  }
  const config = { issuers, revoked, maxAgeSeconds: maxAge, keys: new Map<string, Promise<VerifyingKey>>() };
  configCache = { source, config };
  return config;
}

/** Whether the bearer token has the shape of a JWT (three base64url parts, a JSON header). */
export function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);
}

/** The public key a `did:jwk` DID stands for. */
function jwkOfDid(did: string): JWK {
  const suffix = did.slice("did:jwk:".length).split("#")[0]!;
  try {
    const jwk = JSON.parse(new TextDecoder().decode(base64url.decode(suffix))) as JWK;
    if (typeof jwk !== "object" || jwk === null || typeof jwk.kty !== "string" || "d" in jwk) throw new Error();
    return jwk;
  } catch {
    throw new AtpRefusal(`The DID ${shortDid(did)} is not a did:jwk of a public key.`);
  }
}

function shortDid(did: string): string {
  return did.length > 80 ? `${did.slice(0, 80)}…` : did;
}

async function keyOf(config: IssuerConfig, id: string, jwk: JWK, alg: string | undefined): Promise<VerifyingKey> {
  const cacheKey = `${id}\u0000${alg ?? ""}`;
  let key = config.keys.get(cacheKey);
  if (key === undefined) {
    key = importJWK(jwk, alg);
    key.catch(() => config.keys.delete(cacheKey));
    if (config.keys.size < 1_000) config.keys.set(cacheKey, key);
  }
  return key;
}

async function verified(
  jwt: string,
  key: () => Promise<VerifyingKey>,
  what: string,
  options: { maxTokenAge?: number },
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(jwt, await key(), {
      algorithms: ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_S,
      ...(options.maxTokenAge === undefined ? {} : { maxTokenAge: options.maxTokenAge, requiredClaims: ["iat"] }),
    });
    return payload;
  } catch (error) {
    if (error instanceof AtpRefusal) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AtpRefusal(`${what} does not verify: ${reason}.`);
  }
}

function header(jwt: string, what: string): { alg?: string; kid?: string } {
  try {
    return decodeProtectedHeader(jwt);
  } catch {
    throw new AtpRefusal(`${what} is not a JWT (its header cannot be read).`);
  }
}

function claims(jwt: string, what: string): JWTPayload {
  try {
    return decodeJwt(jwt);
  } catch {
    throw new AtpRefusal(`${what} is not a JWT (its claims cannot be read).`);
  }
}

interface VcClaims {
  type?: unknown;
  id?: unknown;
  credentialSubject?: { id?: unknown; gln?: unknown };
}

/**
 * Verifies an ATP presentation for a request with `corrUUID`. Throws AtpRefusal with the reason;
 * returns who holds it and the GLNs it proves.
 */
export async function verifyAtpPresentation(
  jwt: string,
  corrUUID: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AtpPresentation> {
  const config = issuerConfig(env);
  if (config.issuers.size === 0) {
    throw new AtpRefusal(
      "This responder trusts no credential issuer (PEDIGREE_VRS_TRUSTED_ISSUERS is not set), so it takes no ATP presentation; use the API credential the manufacturer issued you.",
    );
  }
  const presentationHeader = header(jwt, "The presentation");
  const holder = claims(jwt, "The presentation").iss;
  if (typeof holder !== "string" || !holder.startsWith("did:jwk:")) {
    throw new AtpRefusal(
      "The presentation's iss must be the holder's DID, a did:jwk (the only DID method resolved here, offline).",
    );
  }
  if (presentationHeader.kid !== undefined && presentationHeader.kid.split("#")[0] !== holder) {
    throw new AtpRefusal("The presentation's kid names another DID than its iss (the holder).");
  }
  const payload = await verified(
    jwt,
    () => keyOf(config, holder, jwkOfDid(holder), presentationHeader.alg),
    "The presentation's signature (by its holder)",
    { maxTokenAge: config.maxAgeSeconds },
  );
  if (payload.nonce !== corrUUID) {
    throw new AtpRefusal(
      "The presentation's nonce is not this request's corrUUID: make a presentation for each request.",
    );
  }
  const vp = payload.vp as { verifiableCredential?: unknown } | undefined;
  const list = vp?.verifiableCredential;
  if (!Array.isArray(list) || list.length === 0 || list.length > 8 || !list.every((vc) => typeof vc === "string")) {
    throw new AtpRefusal(
      "The presentation's vp.verifiableCredential must list its credentials as JWTs (one to eight).",
    );
  }
  const kinds = new Set<string>();
  const glns = new Set<string>();
  const issuers = new Set<string>();
  for (const [i, credential] of (list as string[]).entries()) {
    const what = `Credential ${i + 1} of the presentation`;
    const credentialHeader = header(credential, what);
    const issuerId = claims(credential, what).iss;
    const issuer = typeof issuerId === "string" ? config.issuers.get(issuerId) : undefined;
    if (issuer === undefined) {
      throw new AtpRefusal(
        `${what} is issued by ${typeof issuerId === "string" ? shortDid(issuerId) : "nobody named"}, an issuer this responder does not trust.`,
      );
    }
    const vcPayload = await verified(
      credential,
      () => keyOf(config, issuer.id, issuer.jwk ?? jwkOfDid(issuer.id), credentialHeader.alg),
      `${what} (by ${issuer.name ?? issuer.id})`,
      {},
    );
    const vc = (vcPayload.vc ?? {}) as VcClaims;
    const subject = vcPayload.sub ?? vc.credentialSubject?.id;
    if (subject !== holder) throw new AtpRefusal(`${what} is about another subject than the presentation's holder.`);
    const ids = [vcPayload.jti, vc.id].filter((id): id is string => typeof id === "string");
    if (ids.some((id) => config.revoked.has(id))) throw new AtpRefusal(`${what} (${ids[0]}) has been revoked.`);
    const types = Array.isArray(vc.type) ? vc.type.filter((type): type is string => typeof type === "string") : [];
    for (const type of types) kinds.add(type);
    const gln = vc.credentialSubject?.gln;
    for (const value of Array.isArray(gln) ? gln : [gln]) if (typeof value === "string") glns.add(value);
    issuers.add(issuer.id);
  }
  for (const kind of [IDENTITY_CREDENTIAL, ATP_CREDENTIAL]) {
    if (!kinds.has(kind))
      throw new AtpRefusal(
        `The presentation holds no ${kind}: it needs an identity credential and a DSCSA ATP credential.`,
      );
  }
  return { holder, glns: [...glns], issuers: [...issuers] };
}
