import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** Alerts with filters (status, verdict, gtin, lot, reporter, from, to), recalled stock still held; ?format=csv exports. */
export const GET = handle(async (request: Request) => readApi.alerts(await appContext(), request));
