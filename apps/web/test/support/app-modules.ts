/**
 * Lets Node load the app's modules as Next's bundler does: `@/x` is src/x, and an import may
 * leave out the .ts/.tsx extension. A test calls `resolveAppModules()` once, then imports route
 * modules or page helpers dynamically (the hook covers imports made after it is installed).
 */
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const APP_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src");

let installed = false;

export function resolveAppModules(): void {
  if (installed) return;
  installed = true;
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { existsSync } from "node:fs";
      import { fileURLToPath, pathToFileURL } from "node:url";
      let src;
      export function initialize(data) { src = data.src; }
      const candidates = (base) => [base, base + ".ts", base + ".tsx", base + "/index.ts"];
      export async function resolve(specifier, context, next) {
        let base;
        if (specifier.startsWith("@/")) base = src + "/" + specifier.slice(2);
        else if ((specifier.startsWith("./") || specifier.startsWith("../")) && context.parentURL?.startsWith("file:"))
          base = fileURLToPath(new URL(specifier, context.parentURL));
        if (base !== undefined && base.startsWith(src + "/")) {
          for (const candidate of candidates(base)) {
            if (existsSync(candidate) && !candidate.endsWith("/")) return next(pathToFileURL(candidate).href, context);
          }
        }
        return next(specifier, context);
      }`)}`,
    { parentURL: import.meta.url, data: { src: APP_SRC } },
  );
}
