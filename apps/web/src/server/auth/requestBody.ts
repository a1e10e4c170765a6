/**
 * Reads a request body as it streams in, with a hard byte limit: a body over the limit is refused
 * (413) as soon as the limit is crossed, without being held in memory first. Next.js route
 * handlers impose no body limit of their own, so this is the only one.
 */
import { ApiError } from "../api/errors.ts";

export interface ReadBodyOptions {
  maxBytes: number;
  /** What the limit is about, for the 413 message ("A serial list", "The sign-in request"). */
  what: string;
  /** Called after each chunk with the bytes read so far. */
  onBytes?: (bytesRead: number) => void;
}

function tooLarge(options: ReadBodyOptions): ApiError {
  const mib = options.maxBytes / (1024 * 1024);
  const limit = mib >= 1 ? `${mib.toLocaleString("en-US")} MiB` : `${options.maxBytes.toLocaleString("en-US")} bytes`;
  return new ApiError(413, "PAYLOAD_TOO_LARGE", `${options.what} may be at most ${limit}.`, {
    details: { maxBytes: options.maxBytes },
  });
}

/** The body as UTF-8 text (invalid bytes refused with 400), or a 413 over `maxBytes`. */
export async function readBodyText(request: Request, options: ReadBodyOptions): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) throw tooLarge(options);
  if (request.body === null) return "";
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const reader = request.body.getReader();
  const parts: string[] = [];
  let bytesRead = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytesRead += value.byteLength;
      if (bytesRead > options.maxBytes) throw tooLarge(options);
      parts.push(decoder.decode(value, { stream: true }));
      options.onBytes?.(bytesRead);
    }
    parts.push(decoder.decode());
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof ApiError) throw error;
    if (error instanceof TypeError) {
      throw new ApiError(400, "INVALID_ENCODING", `${options.what} must be UTF-8 text.`);
    }
    throw new ApiError(400, "BODY_UNREADABLE", `${options.what} could not be read completely; send it again.`);
  }
  return parts.join("");
}

/** The body parsed as JSON (at most `maxBytes`), or a 400 saying it is not JSON. */
export async function readBodyJson(request: Request, options: ReadBodyOptions): Promise<unknown> {
  const text = await readBodyText(request, options);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, "INVALID_JSON", `${options.what} must be a JSON object.`);
  }
}

/**
 * The body as JSON checked by `schema`, or a 400 INVALID_BODY with `expected` (what to send) and
 * the schema's issues as details; a 413 over `maxBytes`, a 400 when it is not JSON.
 */
export async function readBodyAs<T>(
  request: Request,
  schema: { safeParse(value: unknown): SafeParse<T> },
  options: ReadBodyOptions & { expected: string },
): Promise<T> {
  const parsed = schema.safeParse(await readBodyJson(request, options));
  if (parsed.success) return parsed.data;
  throw new ApiError(400, "INVALID_BODY", options.expected, {
    details: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
  });
}

type SafeParse<T> =
  { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
