/**
 * The read API's HTTP answers, one function per route: the route files only fetch the context and
 * call these, so tests exercise the whole answer (status, headers, body) without Next. Every error,
 * whatever threw it, becomes the JSON error shape (`toErrorResponse`).
 */
import type { AppContext } from "../context.ts";
import { jsonResponse, toErrorResponse } from "../api/errors.ts";
import { alertsResponse, getAlert, listRecalls, updateAlert } from "./alerts.ts";
import { batchEpcisDocument, batchTimelineCsv, getBatch } from "./batch.ts";
import { getParty, listParticipants, listProducts } from "./directory.ts";
import { epcisEventsResponse } from "./epcisQuery.ts";
import { parseQuery } from "./input.ts";
import { search } from "./search.ts";
import { listShipments } from "./shipments.ts";
import { z } from "zod";

export interface BatchPath {
  gtin: string;
  lot: string;
}

async function answer(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return toErrorResponse(error);
  }
}

const noParameters = z.object({}).strict();

export const readApi = {
  batch: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      parseQuery(noParameters, new URL(request.url).searchParams);
      return jsonResponse(await getBatch(ctx, path.gtin, path.lot));
    }),
  batchEpcis: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      parseQuery(noParameters, new URL(request.url).searchParams);
      const document = await batchEpcisDocument(ctx, path.gtin, path.lot);
      return jsonResponse(document, {
        headers: {
          "content-type": "application/ld+json; charset=utf-8",
          "GS1-EPCIS-Version": "2.0",
          "GS1-CBV-Version": "2.0",
          "content-disposition": `inline; filename="epcis-${`${path.gtin}-${path.lot}`.replace(/[^A-Za-z0-9._-]/g, "_")}.jsonld"`,
        },
      });
    }),
  batchCsv: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      parseQuery(noParameters, new URL(request.url).searchParams);
      return batchTimelineCsv(ctx, path.gtin, path.lot);
    }),
  epcisEvents: (ctx: AppContext, request: Request) => answer(() => epcisEventsResponse(ctx, new URL(request.url))),
  alerts: (ctx: AppContext, request: Request) => answer(() => alertsResponse(ctx, new URL(request.url).searchParams)),
  alert: (ctx: AppContext, _request: Request, id: string) => answer(async () => jsonResponse(await getAlert(ctx, id))),
  closeAlert: (ctx: AppContext, request: Request, id: string) =>
    answer(async () => jsonResponse(await updateAlert(ctx, request, id))),
  recalls: (ctx: AppContext, request: Request) =>
    answer(async () => jsonResponse(await listRecalls(ctx, new URL(request.url).searchParams))),
  search: (ctx: AppContext, request: Request) =>
    answer(async () => jsonResponse(await search(ctx, new URL(request.url).searchParams))),
  participants: (ctx: AppContext, request: Request) =>
    answer(async () => jsonResponse(await listParticipants(ctx, new URL(request.url).searchParams))),
  party: (ctx: AppContext, request: Request, address: string) =>
    answer(async () => jsonResponse(await getParty(ctx, address, new URL(request.url).searchParams))),
  shipments: (ctx: AppContext, request: Request) =>
    answer(async () => jsonResponse(await listShipments(ctx, new URL(request.url).searchParams))),
  products: (ctx: AppContext, request: Request) =>
    answer(async () => jsonResponse(await listProducts(ctx, new URL(request.url).searchParams))),
};
