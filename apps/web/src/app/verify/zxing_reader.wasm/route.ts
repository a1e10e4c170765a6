/**
 * Serves zxing-wasm's reader module from the installed package, so the scanner never fetches it
 * from a CDN and it always matches the JavaScript that loads it (the URL carries the version,
 * hence the long cache lifetime).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

const RELATIVE = "node_modules/zxing-wasm/dist/reader/zxing_reader.wasm";

function locateWasm(): string | undefined {
  // npm workspaces hoist the package to the repository root; look upwards from the app.
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, RELATIVE);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export async function GET(): Promise<Response> {
  const file = locateWasm();
  if (file === undefined) {
    return Response.json(
      { error: { code: "SCANNER_NOT_INSTALLED", message: "zxing-wasm is not installed: run npm install." } },
      { status: 500 },
    );
  }
  const bytes = await readFile(file);
  return new Response(new Uint8Array(bytes), {
    headers: { "content-type": "application/wasm", "cache-control": "public, max-age=31536000, immutable" },
  });
}
