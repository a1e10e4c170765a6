import { handle } from "../../../../server/api/handle.ts";
import { changeRoleResponse, removeStaffResponse } from "../../../../server/auth/staff-http.ts";
import { appContext } from "../../../../server/context.ts";

/** Changes a staff member's role {role}: effective at their next request. */
export const PATCH = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  changeRoleResponse(await appContext(), request, (await params).id),
);

/** Removes a staff member: their passkeys and sessions stop at once. */
export const DELETE = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
  removeStaffResponse(await appContext(), request, (await params).id),
);
