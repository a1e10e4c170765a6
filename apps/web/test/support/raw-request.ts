/**
 * One HTTP request with exactly these bytes in its path, headers and body (fetch would normalise
 * the path and drop a Host header of the caller's choosing), time-boxed: for property tests of the
 * HTTP surface and tests of the origin gate.
 */
import http from "node:http";

const CALL_TIMEOUT_MS = 15_000;

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function rawRequest(
  base: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Uint8Array | string },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname, port, method: options.method, path: options.path, headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on("error", reject);
      },
    );
    request.setTimeout(CALL_TIMEOUT_MS, () =>
      request.destroy(
        new Error(`${options.method} ${options.path.slice(0, 200)} did not answer within ${CALL_TIMEOUT_MS} ms`),
      ),
    );
    // The server may answer (401, 413) before reading a large body and drop the rest: not our concern.
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE" || error.code === "ECONNRESET") return;
      reject(error);
    });
    if (options.body !== undefined) request.end(options.body);
    else request.end();
  });
}

/** The JSON body of a raw answer. */
export function jsonOf<T = unknown>(answer: RawAnswer): T {
  return JSON.parse(answer.body.toString("utf8")) as T;
}
