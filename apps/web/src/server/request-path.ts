/**
 * Request paths as Next 16 hands them over, and the ones it cannot.
 *
 * Next percent-decodes a path to route it, then gives route handlers their dynamic segments
 * decoded, but pages theirs re-encoded: `encodeURIComponent` of the decoded segment (measured on
 * next 16.4, and held to by e2e/digital-link.e2e.ts). A page therefore reads its segments through
 * `pageSegment`, the one place they are decoded.
 *
 * A path that cannot be percent-decoded at all (`%FF`, a bare `%`, `%C3%28`) names no page and no
 * route, yet Next answers it with a bare 500 text/plain, without this app's headers: its router
 * throws while decoding the path for a dynamic route, then fails to render its own 400 page
 * (vercel/next.js#92527). The proxy refuses such paths first, with `undecodablePathError`.
 */
import { ApiError } from "./api/errors.ts";

/** A page's dynamic segment (one of a catch-all's) as the text it stands for. */
export function pageSegment(param: string): string {
  return decodeURIComponent(param);
}

export function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/** A 400 naming the first segment of `pathname` that is not percent-encoded UTF-8; undefined when every segment decodes. */
export function undecodablePathError(pathname: string): ApiError | undefined {
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      const shown = segment.length > 60 ? `${segment.slice(0, 60)}…` : segment;
      return new ApiError(
        400,
        "INVALID_PATH",
        `The part '${shown}' of the address is not valid percent-encoding (a '%' must be followed by ` +
          "two hexadecimal digits, and together they must spell UTF-8 text; a '%' itself is written %25). " +
          "It was probably cut short or changed when it was copied.",
        { details: { segment: shown } },
      );
    }
  }
  return undefined;
}
