/**
 * A software passkey authenticator for tests in Node: ES256 keys from node:crypto, answers built
 * as a platform authenticator builds them (WebAuthn Level 3, "none" attestation), so the server's
 * SimpleWebAuthn verification runs exactly as for a browser.
 *
 * ```ts
 * const authenticator = new SoftAuthenticator();
 * const registration = authenticator.register(creationOptions, "http://localhost:3000");
 * const assertion = authenticator.authenticate(requestOptions, "http://localhost:3000");
 * ```
 *
 * `origin` is what the browser would write into clientDataJSON (a phishing page would write its
 * own); `counter` can be set back to play a cloned authenticator.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string): Buffer => createHash("sha256").update(data).digest();

interface Credential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Flags of authenticator data: user present, user verified, attested credential data included. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];
  /** The signature counter, shared by its credentials (as many platform authenticators do). */
  counter = 0;

  /** Creates a credential for `options` (as navigator.credentials.create) and answers as @simplewebauthn/browser would. */
  register(
    options: { challenge: string; rp: { id?: string }; user: { id: string } },
    origin: string,
  ): Record<string, unknown> {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const credential: Credential = { id: randomBytes(32), rpId, userHandle: options.user.id, privateKey, publicKey };
    this.credentials.push(credential);
    const jwk = publicKey.export({ format: "jwk" });
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, "base64url")],
        [-3, Buffer.from(jwk.y!, "base64url")],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      this.authenticatorData(rpId, UP | UV | AT),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credential.id,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", authData],
      ]),
    );
    const clientDataJSON = JSON.stringify({
      type: "webauthn.create",
      challenge: options.challenge,
      origin,
      crossOrigin: false,
    });
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: "public-key",
      response: {
        clientDataJSON: b64url(Buffer.from(clientDataJSON)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** Signs `options`' challenge with a credential for its RP (a discoverable one: the first, or `credential`). */
  authenticate(
    options: { challenge: string; rpId?: string },
    origin: string,
    credential: Credential | undefined = this.credentials[0],
  ): Record<string, unknown> {
    if (credential === undefined) throw new Error("The authenticator holds no passkey.");
    const rpId = options.rpId ?? new URL(origin).hostname;
    const authenticatorData = this.authenticatorData(rpId, UP | UV);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }),
    );
    const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  private authenticatorData(rpId: string, flags: number): Buffer {
    this.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter]);
  }
}
