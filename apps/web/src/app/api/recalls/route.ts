import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** Recalled batches whose units are still held or in transit, with their holders. */
export const GET = handle(async (request: Request) => readApi.recalls(await appContext(), request));
