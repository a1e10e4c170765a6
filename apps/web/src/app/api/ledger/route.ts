import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** Whether the ledger is paused, and the latest pause or resumption with its reason. */
export const GET = handle(async (request: Request) => readApi.ledger(await appContext(), request));
