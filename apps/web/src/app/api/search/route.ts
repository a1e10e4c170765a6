import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** One search box: GTIN, GTIN + lot, pack code, SSCC, party, transaction hash. */
export const GET = handle(async (request: Request) => readApi.search(await appContext(), request));
