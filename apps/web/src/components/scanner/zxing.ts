/**
 * zxing-wasm in the browser, with its wasm served by this app (the route
 * /verify/zxing_reader.wasm), never from a CDN. Loaded on first use only.
 */
import { prepareZXingModule, readBarcodes, ZXING_WASM_VERSION } from "zxing-wasm/reader";
import { PACK_CODE_READER_OPTIONS, scanTextOf } from "./scan-text";

export const ZXING_WASM_PATH = "/verify/zxing_reader.wasm";

let prepared = false;
function prepare() {
  if (prepared) return;
  prepared = true;
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) =>
        path.endsWith(".wasm") ? `${ZXING_WASM_PATH}?v=${ZXING_WASM_VERSION}` : prefix + path,
    },
  });
}

/** Every pack code readable in the image, as scan data (symbology identifier + message). */
export async function readPackCodes(image: Blob | ImageData): Promise<string[]> {
  prepare();
  const results = await readBarcodes(image, {
    ...PACK_CODE_READER_OPTIONS,
    formats: [...PACK_CODE_READER_OPTIONS.formats],
  });
  return results.filter((r) => r.isValid && r.text !== "").map(scanTextOf);
}
