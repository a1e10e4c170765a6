import { handle } from "../../../../server/api/handle.ts";
import { appContext } from "../../../../server/context.ts";
import { deleteDirectoryEntryResponse } from "../../../../server/vrs/directory.ts";

export const dynamic = "force-dynamic";

/** Removes the signed-in manufacturer's directory entry for a company prefix or GTIN. */
export const DELETE = handle(async (request: Request, { params }: { params: Promise<{ prefix: string }> }) =>
  deleteDirectoryEntryResponse(await appContext(), request, (await params).prefix),
);
