/**
 * The wrapper of every API route: the request must be addressed to this server's configured
 * origin, and a state-changing one must come from it (checkRequestOrigin); then the handler runs,
 * and anything it throws becomes a JSON error answer (toErrorResponse).
 */
import { checkRequestOrigin } from "../auth/origin.ts";
import { toErrorResponse } from "./errors.ts";

export function handle<A extends [Request, ...unknown[]]>(
  handler: (...args: A) => Promise<Response>,
): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      checkRequestOrigin(args[0]);
      return await handler(...args);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
