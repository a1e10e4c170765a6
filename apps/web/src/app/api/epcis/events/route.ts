import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** EPCIS 2.0 event query (GE_eventTime, LT_eventTime, EQ_bizStep, MATCH_epc, perPage, nextPageToken). */
export const GET = handle(async (request: Request) => readApi.epcisEvents(await appContext(), request));
