import { appContext } from "@/server/context";
import { errorResponse, jsonResponse } from "@/server/api/errors";
import { healthReport } from "@/server/health";
import { webIndexerStatus } from "@/server/indexer/service";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  let ctx;
  try {
    ctx = await appContext();
  } catch (error) {
    return errorResponse(503, "NOT_CONFIGURED", `This server cannot start its read model: ${(error as Error).message}`);
  }
  const report = await healthReport(ctx, await webIndexerStatus());
  return jsonResponse(report, { status: report.status === "ok" ? 200 : 503 });
}
