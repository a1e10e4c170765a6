/**
 * The origin printed into Digital Link QR codes and used to read them back: PEDIGREE_PUBLIC_ORIGIN
 * when set (behind a proxy the Host header may be an internal name), else the request's host.
 * Forwarded headers are not trusted (any client can send them).
 */
export function publicOrigin(requestHeaders: Headers, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.PEDIGREE_PUBLIC_ORIGIN;
  if (configured !== undefined && configured !== "") {
    try {
      return new URL(configured).origin;
    } catch {
      throw new Error(
        `PEDIGREE_PUBLIC_ORIGIN must be an absolute URL such as https://pedigree.example.org (got '${configured}').`,
      );
    }
  }
  const host = requestHeaders.get("host") ?? "localhost";
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    return "http://localhost";
  }
}
