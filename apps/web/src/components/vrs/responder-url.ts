/**
 * The browser's first look at a responder's address, for the directory and credential forms: only
 * that it is a full web address. Whether it may be used (https, or http to this machine where the
 * server allows it; no private address, query or password) is the server's rule
 * (server/vrs/client.ts, responderBaseUrl), whose refusal the forms show as it words it.
 */
export function responderUrlProblem(text: string): string | null {
  const value = text.trim();
  if (!value) return "Type the responder's address, starting with https://.";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Type the full address, starting with https:// (for example https://vrs.example.com).";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return "A responder's address starts with https://.";
  }
  return null;
}
