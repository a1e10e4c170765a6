import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** One alert, with its history. */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.alert(await appContext(), request, (await params).id),
);

/**
 * Moves an alert one step, open -> investigating -> closed with a root cause and a note; a regulator,
 * or the party whose scan raised it (which may close it as a scanner or data error only).
 */
export const PATCH = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  readApi.changeAlert(await appContext(), request, (await params).id),
);
