import { defineConfig } from "drizzle-kit";

// `npm run db:generate -w apps/web` writes a new migration after a schema change; migrations are
// checked in and applied when the server (or the indexer) starts.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/server/db/schema.ts",
  out: "./drizzle",
});
