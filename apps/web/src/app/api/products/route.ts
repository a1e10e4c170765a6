import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** Registered products (?manufacturer= filters), with their batch counts. */
export const GET = handle(async (request: Request) => readApi.products(await appContext(), request));
