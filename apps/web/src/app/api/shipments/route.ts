import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** Shipment lines, newest first (filters: to, from, status, batch; perPage, nextPageToken). */
export const GET = handle(async (request: Request) => readApi.shipments(await appContext(), request));
