/**
 * A tiny HTTP server for tests of the API surface, without Next: it serves chosen route handlers
 * on a free loopback port, passing a web `Request` (body streamed, not buffered) and writing the
 * `Response` back as it streams.
 *
 * Routes are Next-style patterns mapped to handler objects, so the exported GET/POST of a
 * `src/app/api/**\/route.ts` module can be served as they are:
 *
 * ```ts
 * const server = await startTestServer({
 *   context: ctx,                                   // what appContext() returns inside route modules
 *   routes: {
 *     "/api/auth/nonce": await import("../src/app/api/auth/nonce/route.ts"),
 *     "/api/batches/[gtin]/[lot]": { GET: (request, { params }) => ... },
 *     "/api/manifests": { POST: (request) => uploadManifestResponse(ctx, request) },
 *   },
 * });
 * await fetch(`${server.url}/api/auth/nonce`);
 * await server.stop();
 * ```
 *
 * Unmatched paths answer 404 and unsupported methods 405, both as JSON errors like the app's.
 *
 * The app answers only as its configured origin (src/server/auth/origin.ts), so while the server
 * runs, PEDIGREE_PUBLIC_ORIGIN is its own URL (the previous value comes back at stop); a test that
 * plays another origin sets the variable itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { AppContext } from "../../src/server/context.ts";
import { errorResponse, toErrorResponse } from "../../src/server/api/errors.ts";
import { undecodablePathError } from "../../src/server/request-path.ts";

/** The second argument Next passes to a route handler. */
export interface RouteHandlerContext {
  params: Promise<Record<string, string | string[]>>;
}

export type RouteHandler = (request: Request, context: RouteHandlerContext) => Promise<Response> | Response;

export type RouteModule = Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD", RouteHandler>> & {
  [other: string]: unknown;
};

export interface TestServerOptions {
  routes: Record<string, RouteModule>;
  /** Installed as the process-wide context, so route modules calling appContext() get it. */
  context?: AppContext;
  /** Host name in the URL (default 127.0.0.1); the Host header follows it. */
  hostname?: string;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Requests served so far, as "METHOD /path" (for asserting what a client called). */
  requests: string[];
  stop(): Promise<void>;
}

interface CompiledRoute {
  pattern: RegExp;
  names: { name: string; catchAll: boolean }[];
  module: RouteModule;
}

function compile(path: string, module: RouteModule): CompiledRoute {
  const names: CompiledRoute["names"] = [];
  const source = path
    .split("/")
    .map((segment) => {
      const catchAll = /^\[\.\.\.(\w+)\]$/.exec(segment);
      if (catchAll) {
        names.push({ name: catchAll[1] as string, catchAll: true });
        return "(.+)";
      }
      const dynamic = /^\[(\w+)\]$/.exec(segment);
      if (dynamic) {
        names.push({ name: dynamic[1] as string, catchAll: false });
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { pattern: new RegExp(`^${source}/?$`), names, module };
}

function toRequest(incoming: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(incoming.url ?? "/", origin), {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function send(response: Response, outgoing: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  outgoing.writeHead(response.status, headers);
  if (response.body === null) {
    outgoing.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!outgoing.write(chunk)) await new Promise((resolve) => outgoing.once("drain", resolve));
  }
  outgoing.end();
}

/** As Next hands them to route handlers: each segment decoded once (the path is known to decode). */
function decodeParams(route: CompiledRoute, match: RegExpExecArray): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  route.names.forEach(({ name, catchAll }, i) => {
    const raw = match[i + 1] as string;
    params[name] = catchAll ? raw.split("/").map(decodeURIComponent) : decodeURIComponent(raw);
  });
  return params;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const routes = Object.entries(options.routes).map(([path, module]) => compile(path, module));
  if (options.context !== undefined) {
    const holder = globalThis as typeof globalThis & { __pedigreeContext?: Promise<AppContext> };
    holder.__pedigreeContext = Promise.resolve(options.context);
  }
  const hostname = options.hostname ?? "127.0.0.1";
  const requests: string[] = [];
  let origin = "";

  const server = createServer((incoming, outgoing) => {
    void (async () => {
      let response: Response;
      try {
        const request = toRequest(incoming, origin);
        const url = new URL(request.url);
        requests.push(`${request.method} ${url.pathname}`);
        const route = routes.find((candidate) => candidate.pattern.test(url.pathname));
        // A path that cannot be decoded is the app's proxy's to answer, before Next routes it.
        const undecodable = undecodablePathError(url.pathname);
        if (undecodable !== undefined) {
          response = toErrorResponse(undecodable);
        } else if (route === undefined) {
          response = errorResponse(404, "NOT_FOUND", `No route for ${url.pathname} on this test server.`);
        } else {
          const params = decodeParams(route, route.pattern.exec(url.pathname) as RegExpExecArray);
          const handler = route.module[request.method as "GET"];
          response =
            typeof handler === "function"
              ? await handler(request, { params: Promise.resolve(params) })
              : errorResponse(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${url.pathname}.`);
        }
      } catch (error) {
        response = toErrorResponse(error);
      }
      try {
        await send(response, outgoing);
      } catch {
        outgoing.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, hostname, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${hostname}:${port}`;
  const previousOrigin = process.env.PEDIGREE_PUBLIC_ORIGIN;
  process.env.PEDIGREE_PUBLIC_ORIGIN = origin;
  return {
    url: origin,
    port,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (previousOrigin === undefined) delete process.env.PEDIGREE_PUBLIC_ORIGIN;
      else process.env.PEDIGREE_PUBLIC_ORIGIN = previousOrigin;
    },
  };
}
