import { appContext } from "@/server/context";
import { errorResponse, jsonResponse } from "@/server/api/errors";
import { handle } from "@/server/api/handle";
import { healthReport, isOperator, publicHealth } from "@/server/health";
import { webIndexerStatus } from "@/server/indexer/service";

export const dynamic = "force-dynamic";

/** ok/degraded per component for anyone; the full report for the operator's token (see server/health.ts). */
export const GET = handle(async (request: Request) => {
  let ctx;
  try {
    ctx = await appContext();
  } catch (error) {
    console.error("Health: the server cannot start its read model:", error);
    return errorResponse(
      503,
      "NOT_CONFIGURED",
      "This server cannot start its read model; its operator has the details in its log.",
    );
  }
  const report = await healthReport(ctx, await webIndexerStatus());
  const status = report.status === "ok" ? 200 : 503;
  return jsonResponse(isOperator(request) ? report : publicHealth(report), { status });
});
