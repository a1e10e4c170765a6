import type { NextConfig } from "next";
import {
  API_CONTENT_SECURITY_POLICY,
  COMMON_SECURITY_HEADERS,
  STRICT_TRANSPORT_SECURITY,
} from "./src/server/security/headers.ts";

const asList = (headers: Record<string, string>) => Object.entries(headers).map(([key, value]) => ({ key, value }));

const nextConfig: NextConfig = {
  // The workspace packages ship TypeScript sources (Node runs them by type stripping).
  transpilePackages: ["@pedigree/gs1", "@pedigree/ledger"],
  // PGlite loads its wasm and data files from its own package folder at run time;
  // rate-limiter-flexible requires its optional stores' drivers dynamically, which a bundle cannot follow.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "rate-limiter-flexible"],
  // A second dev server (tests, a parallel checkout) can build into its own folder.
  distDir: process.env.PEDIGREE_NEXT_DIST_DIR ?? ".next",
  // `npm run lint` type-checks the whole app, tests included (tsc -p apps/web); the build need not
  // do it again (and would fail on a test file's types while building the pages).
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  // Pages get their headers, with a per-request CSP nonce, from src/proxy.ts. The API stays out of
  // the proxy (it would buffer upload bodies), so its headers are set here.
  async headers() {
    return [
      {
        source: "/api/:path*",
        headers: asList({ ...COMMON_SECURITY_HEADERS, "Content-Security-Policy": API_CONTENT_SECURITY_POLICY }),
      },
      {
        source: "/api/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: asList({ "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY }),
      },
      // The VRS responder (partners' machines) is outside the proxy as the API is.
      {
        source: "/vrs/:path*",
        headers: asList({ ...COMMON_SECURITY_HEADERS, "Content-Security-Policy": API_CONTENT_SECURITY_POLICY }),
      },
      {
        source: "/vrs/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: asList({ "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY }),
      },
      // Build assets and Next's own answers there (the proxy skips /_next). No CSP: a worker
      // script takes its policy from its own answer, and the pages' policy is per request.
      { source: "/_next/:path*", headers: asList(COMMON_SECURITY_HEADERS) },
    ];
  },
};

export default nextConfig;
