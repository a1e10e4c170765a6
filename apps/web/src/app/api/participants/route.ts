import { handle } from "@/server/api/handle";
import { appContext } from "@/server/context";
import { readApi } from "@/server/read/http";

/** Every participant with role, GLN, suspended flag and company prefixes (?role= filters). */
export const GET = handle(async (request: Request) => readApi.participants(await appContext(), request));
