/**
 * Staff passkeys in the browser (server/auth/passkeys.ts): creating one from an invitation, and
 * signing in with one. The browser's own dialog does the work (fingerprint, face, screen lock or a
 * security key); these calls fetch the server's options and send back the browser's answer.
 */
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import type { PasskeySignInResponse, SessionResponse } from "../api-types.ts";
import { ApiRequestError, getJson, sendJson } from "../client-api.ts";
import { homeOf, type PartyRole } from "./party.ts";

/**
 * Where passkeys work for this page: passkeys belong to a site's name, and browsers refuse an IP
 * address as one, so a dashboard opened at 127.0.0.1 uses them at `localhost` on the same port
 * (server/auth/origin.ts, passkeyOrigin). Null when this page is already there.
 */
export function passkeyElsewhere(location: Location): string | null {
  if (location.hostname !== "127.0.0.1" && location.hostname !== "[::1]") return null;
  return `${location.protocol}//localhost${location.port ? `:${location.port}` : ""}${location.pathname}${location.search}`;
}

/** The browser's refusals in plain words (the dialog was closed, no passkey, an old browser). */
function explainBrowserError(error: unknown): Error {
  if (error instanceof ApiRequestError) return error;
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "AbortError") {
    return new Error("No passkey was used: the request was cancelled or timed out. Try again when you are ready.");
  }
  if (name === "InvalidStateError") {
    return new Error("This device already has a passkey for this invitation. Sign in with it instead.");
  }
  if (name === "NotSupportedError" || name === "SecurityError") {
    return new Error(
      "This browser cannot use passkeys on this page. Open the dashboard at its usual address in an up-to-date browser.",
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Signs in with a passkey of this site; answers where to go next (the organisation's home). */
export async function signInWithPasskey(): Promise<string> {
  try {
    const optionsJSON = await sendJson<Parameters<typeof startAuthentication>[0]["optionsJSON"]>(
      "POST",
      "/api/auth/passkey/options",
    );
    const response = await startAuthentication({ optionsJSON });
    await sendJson<PasskeySignInResponse>("POST", "/api/auth/passkey/verify", { response });
    return homeAfterSignIn();
  } catch (error) {
    throw explainBrowserError(error);
  }
}

/** Creates the invited person's passkey (which signs them in); answers where to go next. */
export async function createPasskey(invitation: string): Promise<string> {
  try {
    const optionsJSON = await sendJson<Parameters<typeof startRegistration>[0]["optionsJSON"]>(
      "POST",
      "/api/auth/passkey/register/options",
      { invitation },
    );
    const response = await startRegistration({ optionsJSON });
    await sendJson<PasskeySignInResponse>("POST", "/api/auth/passkey/register/verify", { invitation, response });
    return homeAfterSignIn();
  } catch (error) {
    throw explainBrowserError(error);
  }
}

async function homeAfterSignIn(): Promise<string> {
  const session = await getJson<SessionResponse>("/api/auth/session");
  if (!session.signedIn || session.role === "NONE") return "/";
  return homeOf(session.role as PartyRole);
}

/** Signs the session out (a staff member has no wallet to disconnect). */
export async function signOutOfSession(): Promise<void> {
  await sendJson("POST", "/api/auth/logout");
}
