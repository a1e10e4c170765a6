import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The workspace packages ship TypeScript sources (Node runs them by type stripping).
  transpilePackages: ["@pedigree/gs1", "@pedigree/ledger"],
  // PGlite loads its wasm and data files from its own package folder at run time.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // A second dev server (tests, a parallel checkout) can build into its own folder.
  distDir: process.env.PEDIGREE_NEXT_DIST_DIR ?? ".next",
  // `npm run lint` type-checks the whole app, tests included (tsc -p apps/web); the build need not
  // do it again (and would fail on a test file's types while building the pages).
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
