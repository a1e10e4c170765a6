/**
 * The origin this server answers as: what a Sign-In with Ethereum message must name (its `domain`
 * is the origin's host, its `uri` must be on the origin) and whether cookies need `Secure`.
 *
 * Behind a proxy or load balancer the request's Host header may be an internal name, so
 * PEDIGREE_PUBLIC_ORIGIN (e.g. https://pedigree.example.org) wins when set. Forwarded headers are
 * not trusted: any client can send them.
 */
import { ApiError } from "../api/errors.ts";

export function serverOrigin(request: Request, env: NodeJS.ProcessEnv = process.env): URL {
  const configured = env.PEDIGREE_PUBLIC_ORIGIN;
  if (configured !== undefined && configured !== "") {
    let url: URL;
    try {
      url = new URL(configured);
    } catch {
      throw new Error(
        `PEDIGREE_PUBLIC_ORIGIN must be an absolute URL such as https://pedigree.example.org (got '${configured}').`,
      );
    }
    return new URL(url.origin);
  }
  const requestUrl = new URL(request.url);
  const host = request.headers.get("host") ?? requestUrl.host;
  try {
    return new URL(`${requestUrl.protocol}//${host}`);
  } catch {
    throw new ApiError(400, "INVALID_HOST", `The request's Host header ('${host}') is not a valid host name.`);
  }
}
