/**
 * The request side of the VRS responder (GS1 Lightweight Messaging Standard for Verification of
 * Product Identifiers, with release 1.3 of the GS1 US DSCSA guideline's additions): the path and
 * query of a verification request and of a connectivity check, read strictly. Every refusal is a
 * 400 naming the parameter and what is wrong with it; nothing here touches a database.
 *
 * The pack's identifiers are checked by @pedigree/gs1, the parser every other code form goes
 * through: the four values are written as a GS1 Digital Link and parsed, so a lot or serial outside
 * CSET 82, a GTIN with a wrong check digit or an expiry that is no date are refused exactly as a
 * scan of them would be.
 */
import { isValidGln, parseGs1 } from "@pedigree/gs1";
import { ApiError } from "../api/errors.ts";

/** The `context` values this responder answers (the DSCSA saleable-returns verification). */
export const VRS_CONTEXTS = ["dscsaSaleableReturn"] as const;
export type VrsContext = (typeof VRS_CONTEXTS)[number];

/** The `linkType` a verification request names (bare, as the standard writes it, or as a CURIE). */
const VERIFICATION_LINK_TYPES = new Set(["verificationService", "gs1:verificationService"]);

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A plain address: something@domain.tld, no spaces, at most 254 characters (RFC 5321's path limit). */
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
/** A telephone number: an optional +, then digits with spaces, dots, dashes or brackets between (E.123 style). */
const TELEPHONE = /^\+?[0-9](?:[0-9 .()-]{3,28})[0-9]$/;
/** GS1US-Version: release numbers such as 1.3 or 1.3.0. */
const RELEASE = /^\d{1,3}(?:\.\d{1,3}){1,2}$/;

export interface VerifyRequestParams {
  gtin: string;
  lot: string;
  serial: string;
  /** YYMMDD, as sent. */
  exp: string;
  context: VrsContext;
  reqGLN: string;
  corrUUID: string;
  /** Release 1.3: the requester attests it has control and possession of the pack. */
  ctrlPossessAtt?: boolean;
  email?: string;
  telephone?: string;
  /** The GS1US-Version header, when sent. */
  gs1usVersion?: string;
}

export interface ConnectivityParams {
  gtin: string;
  reqGLN: string;
  context: VrsContext;
}

/** What could be read of a request before it was refused: the log keeps it, the answer echoes corrUUID. */
export type RawVrsRequest = Partial<
  Record<"gtin" | "lot" | "serial" | "exp" | "context" | "reqGLN" | "corrUUID", string>
> & {
  ctrlPossessAtt?: boolean;
  email?: string;
  telephone?: string;
};

const VERIFY_PARAMETERS = [
  "exp",
  "linkType",
  "context",
  "reqGLN",
  "corrUUID",
  "ctrlPossessAtt",
  "email",
  "telephone",
] as const;
const CONNECTIVITY_PARAMETERS = ["gtin", "reqGLN", "context", "corrUUID"] as const;

/** The longest value kept of any parameter in the log and in error details. */
const SHOWN = 64;

export function shown(value: string): string {
  return value.length > SHOWN ? `${value.slice(0, SHOWN)}…` : value;
}

function invalid(parameter: string, message: string, details: Record<string, unknown> = {}): ApiError {
  return new ApiError(400, "INVALID_PARAMETER", message, { details: { parameter, ...details } });
}

/**
 * The query's values by name, refusing names the interface does not define and names given twice.
 * Returns what it could read before the first refusal in `raw` (for the log and corrUUID's echo).
 */
function readQuery(
  params: URLSearchParams,
  allowed: readonly string[],
  raw: RawVrsRequest,
): { values: Map<string, string>; error?: ApiError } {
  const values = new Map<string, string>();
  let error: ApiError | undefined;
  for (const name of new Set(params.keys())) {
    const all = params.getAll(name);
    if (!allowed.includes(name)) {
      error ??= new ApiError(
        400,
        "UNKNOWN_PARAMETER",
        `The parameter '${shown(name)}' is not one this interface takes; it takes ${allowed.join(", ")}.`,
        { details: { parameter: shown(name), allowed } },
      );
      continue;
    }
    if (all.length > 1) {
      error ??= new ApiError(400, "REPEATED_PARAMETER", `Give ${name} once (it appears ${all.length} times).`, {
        details: { parameter: name },
      });
    }
    values.set(name, all[0]!);
  }
  for (const name of ["gtin", "exp", "context", "reqGLN", "corrUUID", "email", "telephone"] as const) {
    const value = values.get(name);
    if (value !== undefined) raw[name] = shown(value);
  }
  return { values, ...(error === undefined ? {} : { error }) };
}

function required(values: Map<string, string>, name: string, what: string): string {
  const value = values.get(name);
  if (value === undefined || value === "") {
    throw new ApiError(400, "MISSING_PARAMETER", `Give ${name}: ${what}.`, { details: { parameter: name } });
  }
  return value;
}

function checkCorrUuid(values: Map<string, string>): string {
  const corrUUID = required(values, "corrUUID", "the request's correlation UUID, which the answer echoes");
  if (!UUID.test(corrUUID)) {
    throw invalid(
      "corrUUID",
      `corrUUID must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6 (got '${shown(corrUUID)}').`,
    );
  }
  return corrUUID;
}

function checkGln(values: Map<string, string>): string {
  const reqGLN = required(values, "reqGLN", "the GLN of the party asking (13 digits)");
  if (!/^\d{13}$/.test(reqGLN)) {
    throw invalid("reqGLN", `reqGLN must be a GLN of 13 digits (got '${shown(reqGLN)}').`);
  }
  if (!isValidGln(reqGLN)) {
    throw invalid("reqGLN", `reqGLN ${reqGLN} has a wrong check digit: it is not a GLN.`);
  }
  return reqGLN;
}

function checkContext(values: Map<string, string>): VrsContext {
  const context = required(values, "context", `why the pack is verified: ${VRS_CONTEXTS.join(" or ")}`);
  if (!(VRS_CONTEXTS as readonly string[]).includes(context)) {
    throw invalid(
      "context",
      `context '${shown(context)}' is not one this responder answers; it answers ${VRS_CONTEXTS.join(", ")}.`,
      { allowed: VRS_CONTEXTS },
    );
  }
  return context as VrsContext;
}

function checkGtin(gtin: string, parameter: string): void {
  if (!/^\d{14}$/.test(gtin)) {
    throw invalid(parameter, `${parameter} must be a GTIN-14: 14 digits, with leading zeros (got '${shown(gtin)}').`);
  }
}

/** The GS1 parser's AIs → this interface's parameter names. */
const PARAMETER_OF_AI: Record<string, string> = { "01": "gtin", "10": "lot", "21": "ser", "17": "exp" };

/**
 * A verification request: GET {base}/verify/gtin/{gtin}/lot/{lot}/ser/{serial}?exp=&linkType=
 * verificationService&context=&reqGLN=&corrUUID=[&ctrlPossessAtt=&email=&telephone=]. `path` holds
 * the three path values decoded once (as route handlers get them). Throws ApiError 400; fills `raw`.
 */
export function readVerifyRequest(
  path: { gtin: string; lot: string; serial: string },
  url: URL,
  headers: Headers,
  raw: RawVrsRequest,
  now: Date,
): VerifyRequestParams {
  raw.gtin = shown(path.gtin);
  raw.lot = shown(path.lot);
  raw.serial = shown(path.serial);
  const { values, error } = readQuery(url.searchParams, VERIFY_PARAMETERS, raw);
  // corrUUID first: every later refusal can then echo it.
  const corrUUID = checkCorrUuid(values);
  raw.corrUUID = corrUUID;
  if (error !== undefined) throw error;
  const linkType = required(values, "linkType", "verificationService");
  if (!VERIFICATION_LINK_TYPES.has(linkType)) {
    throw invalid(
      "linkType",
      `linkType must be verificationService for a verification request (got '${shown(linkType)}').`,
    );
  }
  const context = checkContext(values);
  const reqGLN = checkGln(values);
  const exp = required(values, "exp", "the expiry date on the pack, YYMMDD");
  checkGtin(path.gtin, "gtin");
  if (!/^\d{6}$/.test(exp))
    throw invalid("exp", `exp must be the expiry date as YYMMDD, six digits (got '${shown(exp)}').`);
  for (const [name, value] of [
    ["lot", path.lot],
    ["ser", path.serial],
  ] as const) {
    if (value === "")
      throw invalid(name, `${name} is empty: give the pack's ${name === "lot" ? "lot" : "serial number"}.`);
  }
  const link =
    `https://vrs.invalid/01/${path.gtin}/10/${encodeURIComponent(path.lot)}` +
    `/21/${encodeURIComponent(path.serial)}?17=${exp}`;
  const parsed = parseGs1(link, { now });
  if (!parsed.ok) {
    const parameter = PARAMETER_OF_AI[parsed.error.ai ?? ""] ?? "gtin";
    throw invalid(parameter, `${parameter}: ${parsed.error.message}.`, {
      gs1: {
        code: parsed.error.code,
        ...(parsed.error.expected === undefined ? {} : { expected: parsed.error.expected }),
      },
    });
  }
  const request: VerifyRequestParams = {
    gtin: path.gtin,
    lot: path.lot,
    serial: path.serial,
    exp,
    context,
    reqGLN,
    corrUUID,
  };
  const attestation = values.get("ctrlPossessAtt");
  if (attestation !== undefined) {
    if (attestation !== "true" && attestation !== "false") {
      throw invalid("ctrlPossessAtt", `ctrlPossessAtt must be true or false (got '${shown(attestation)}').`);
    }
    request.ctrlPossessAtt = attestation === "true";
    raw.ctrlPossessAtt = request.ctrlPossessAtt;
  }
  const email = values.get("email");
  if (email !== undefined) {
    if (email.length > 254 || !EMAIL.test(email)) {
      throw invalid("email", `email must be an address such as returns@wholesaler.example (got '${shown(email)}').`);
    }
    request.email = email;
  }
  const telephone = values.get("telephone");
  if (telephone !== undefined) {
    if (!TELEPHONE.test(telephone)) {
      throw invalid("telephone", `telephone must be a number such as +1 555 0100 200 (got '${shown(telephone)}').`);
    }
    request.telephone = telephone;
  }
  const version = headers.get("gs1us-version");
  if (version !== null) {
    if (!RELEASE.test(version.trim())) {
      throw new ApiError(
        400,
        "INVALID_HEADER",
        `The GS1US-Version header must be a release such as 1.3.0 (got '${shown(version)}').`,
        {
          details: { header: "GS1US-Version" },
        },
      );
    }
    request.gs1usVersion = version.trim();
  }
  return request;
}

/** A connectivity check: GET {base}/checkConnectivity?gtin=&reqGLN=&context=. Throws ApiError 400; fills `raw`. */
export function readConnectivityRequest(url: URL, raw: RawVrsRequest): ConnectivityParams {
  const { values, error } = readQuery(url.searchParams, CONNECTIVITY_PARAMETERS, raw);
  const corrUUID = values.get("corrUUID");
  if (corrUUID !== undefined) raw.corrUUID = checkCorrUuid(values);
  if (error !== undefined) throw error;
  const gtin = required(values, "gtin", "the GTIN-14 whose responder is checked");
  checkGtin(gtin, "gtin");
  const check = parseGs1(`https://vrs.invalid/01/${gtin}`);
  if (!check.ok) throw invalid("gtin", `gtin: ${check.error.message}.`);
  const reqGLN = checkGln(values);
  const context = checkContext(values);
  return { gtin, reqGLN, context };
}
