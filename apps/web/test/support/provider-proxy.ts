/**
 * A JSON-RPC proxy that behaves as a public RPC provider does, in front of a test chain: it caps
 * `eth_getLogs` at a block range and a number of results per call (1,000 blocks and 10,000 logs
 * by default, Infura's and Alchemy's published limits) with the error such providers answer
 * (JSON-RPC -32005 in an HTTP 200), answers HTTP 429 to every n-th request as a rate limiter
 * does, and drops every m-th connection without an answer, as a flaky load balancer does.
 * Deterministic (every n-th, not random), so a failing run can be replayed.
 *
 * ```ts
 * const proxy = await startProviderProxy(chain.rpcUrl, { tooManyRequestsEvery: 5, dropEvery: 7 });
 * const target = { ...chain.target, rpcUrl: proxy.url };
 * ...
 * proxy.stats();   // what it refused, so a test can check the limits were met
 * await proxy.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ProviderLimits {
  /** Most blocks one eth_getLogs may span (default 1,000). */
  maxLogBlocks?: number;
  /** Most logs one eth_getLogs may return (default 10,000). */
  maxLogResults?: number;
  /** Answer HTTP 429 to every n-th HTTP request (default never). */
  tooManyRequestsEvery?: number;
  /** Close every m-th HTTP request's connection without answering (default never). */
  dropEvery?: number;
}

export interface ProviderStats {
  requests: number;
  tooManyRequests: number;
  dropped: number;
  /** eth_getLogs refused for its block range. */
  rangeRefused: number;
  /** eth_getLogs refused for its number of results. */
  resultsRefused: number;
  /** eth_getLogs answered. */
  logsServed: number;
}

export interface ProviderProxy {
  url: string;
  stats(): ProviderStats;
  /** Changes the limits from the next request on. */
  setLimits(limits: ProviderLimits): void;
  close(): Promise<void>;
}

interface RpcRequest {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

const LIMIT_EXCEEDED = -32005;

export async function startProviderProxy(upstreamUrl: string, initial: ProviderLimits = {}): Promise<ProviderProxy> {
  let limits = initial;
  const stats: ProviderStats = {
    requests: 0,
    tooManyRequests: 0,
    dropped: 0,
    rangeRefused: 0,
    resultsRefused: 0,
    logsServed: 0,
  };
  const sockets = new Set<Socket>();

  const forward = async (body: unknown): Promise<unknown> => {
    const response = await fetch(upstreamUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return response.json();
  };

  const blockNumberOf = async (tag: unknown): Promise<number> => {
    if (typeof tag === "string" && /^0x[0-9a-f]+$/i.test(tag)) return Number.parseInt(tag, 16);
    const answer = (await forward({ jsonrpc: "2.0", id: 0, method: "eth_blockNumber", params: [] })) as {
      result: string;
    };
    return tag === "earliest" ? 0 : Number.parseInt(answer.result, 16);
  };

  const refusal = (id: RpcRequest["id"], message: string) => ({
    jsonrpc: "2.0",
    id,
    error: { code: LIMIT_EXCEEDED, message },
  });

  const answerOne = async (request: RpcRequest): Promise<unknown> => {
    if (request.method !== "eth_getLogs") return forward(request);
    const filter = (request.params?.[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
    const maxBlocks = limits.maxLogBlocks ?? 1_000;
    if (filter.blockHash === undefined) {
      const from = await blockNumberOf(filter.fromBlock ?? "latest");
      const to = await blockNumberOf(filter.toBlock ?? "latest");
      if (to - from + 1 > maxBlocks) {
        stats.rangeRefused++;
        return refusal(request.id, `query exceeds max block range ${maxBlocks}`);
      }
    }
    const answer = (await forward(request)) as { result?: unknown[] };
    const maxResults = limits.maxLogResults ?? 10_000;
    if (Array.isArray(answer.result) && answer.result.length > maxResults) {
      stats.resultsRefused++;
      return refusal(request.id, `query returned more than ${maxResults} results`);
    }
    stats.logsServed++;
    return answer;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const n = ++stats.requests;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (limits.dropEvery !== undefined && n % limits.dropEvery === 0) {
      stats.dropped++;
      request.socket.destroy();
      return;
    }
    if (limits.tooManyRequestsEvery !== undefined && n % limits.tooManyRequestsEvery === 0) {
      stats.tooManyRequests++;
      response.writeHead(429, { "content-type": "application/json" });
      response.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: 429, message: "Too Many Requests" } }));
      return;
    }
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcRequest | RpcRequest[];
      const answer = Array.isArray(body) ? await Promise.all(body.map(answerOne)) : await answerOne(body);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(answer));
    } catch (error) {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(`upstream failed: ${(error as Error).message}`);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats }),
    setLimits(next) {
      limits = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
