/**
 * Secrets the server must use again later but must not keep in plain form (a distributor's VRS
 * credentials for the responders it asks): AES-256-GCM under the server's secret key,
 * PEDIGREE_SECRET_KEY (32 random bytes, as 64 hex digits or base64; `openssl rand -hex 32`).
 *
 * A sealed value is `v1.<key id>.<nonce>.<ciphertext+tag>` (base64url): the key id (the first 8
 * bytes of the key's SHA-256) says which key sealed it, so a value sealed under another key is
 * refused by name rather than failing as "corrupt". `context` (who holds it, for what) is
 * authenticated with it: a sealed value copied into another row does not open there.
 *
 * Whoever reads the database alone learns nothing of the secrets; whoever also has the key does.
 * docs/SECURITY.md says how the key is kept.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretKeyMissing extends Error {
  constructor() {
    super(
      "PEDIGREE_SECRET_KEY is not set: the server keeps partners' credentials encrypted under it. " +
        "Set it to 32 random bytes as 64 hex digits (openssl rand -hex 32) and keep it as the database's backups are kept.",
    );
    this.name = "SecretKeyMissing";
  }
}

/** The key in PEDIGREE_SECRET_KEY; throws SecretKeyMissing without it and an Error naming the problem when malformed. */
export function secretKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  const value = env.PEDIGREE_SECRET_KEY?.trim();
  if (value === undefined || value === "") throw new SecretKeyMissing();
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(value) && key.toString("base64") !== value)) {
    throw new Error("PEDIGREE_SECRET_KEY must be 32 bytes: 64 hex digits (openssl rand -hex 32) or their base64.");
  }
  return key;
}

const keyId = (key: Buffer) => createHash("sha256").update(key).digest().subarray(0, 8).toString("base64url");

/** Seals `secret`, bound to `context`. */
export function seal(secret: string, context: string, key: Buffer = secretKeyFromEnv()): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, keyId(key), nonce.toString("base64url"), ciphertext.toString("base64url")].join(".");
}

/** Opens a value `seal` made with the same key and context; throws an Error saying why it cannot. */
export function open(sealed: string, context: string, key: Buffer = secretKeyFromEnv()): string {
  const [version, id, nonceText, bodyText, ...rest] = sealed.split(".");
  if (version !== VERSION || id === undefined || nonceText === undefined || bodyText === undefined || rest.length > 0) {
    throw new Error("The sealed secret is not in a format this server knows.");
  }
  if (id !== keyId(key)) {
    throw new Error("The secret was sealed under another PEDIGREE_SECRET_KEY than this server's: store it again.");
  }
  const nonce = Buffer.from(nonceText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new Error("The sealed secret is truncated.");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new Error("The sealed secret does not open: it was altered, or belongs to another holder or responder.");
  }
}
