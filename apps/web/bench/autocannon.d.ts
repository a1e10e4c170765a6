/** The part of autocannon's API that bench/load.bench.ts uses (the package ships no types). */
declare module "autocannon" {
  interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    requests?: (RequestSpec & {
      setupRequest?: (request: RequestSpec) => RequestSpec;
      onResponse?: (status: number, body: string) => void;
    })[];
  }
  interface Result {
    errors: number;
    timeouts: number;
    latency: { p50: number; p97_5: number; p99: number; average: number; max: number };
  }
  interface Instance extends PromiseLike<Result> {
    on(
      event: "response",
      listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void,
    ): this;
    /** A request that failed: a connection error, or a timeout (its message says "request timed out"). */
    on(event: "reqError", listener: (error: Error) => void): this;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
