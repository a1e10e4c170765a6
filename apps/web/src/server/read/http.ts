/**
 * The read API's HTTP answers, one function per route: the route files only fetch the context and
 * call these, so tests exercise the whole answer (status, headers, body) without Next. Every error,
 * whatever threw it, becomes the JSON error shape (`toErrorResponse`).
 */
import type { AppContext } from "../context.ts";
import { jsonResponse, toErrorResponse } from "../api/errors.ts";
import { alertsResponse, changeAlert, getAlert, listRecalls } from "./alerts.ts";
import {
  requireBatchAccess,
  requireDirectoryViewer,
  requirePartyAccess,
  requireRegulator,
  requireViewer,
  shipmentScope,
  type Viewer,
} from "./access.ts";
import { batchEpcis12Document, batchEpcisDocument, batchTimelineCsv, findBatch, getBatch } from "./batch.ts";
import { getParty, listParticipants, listProducts } from "./directory.ts";
import { epcisEventsResponse } from "./epcisQuery.ts";
import { parseQuery, single } from "./input.ts";
import { ledgerStatus } from "./ledger.ts";
import { search } from "./search.ts";
import { shipmentEpcis12Document, shipmentEpcisDocument } from "./shipment-epcis.ts";
import { listShipments } from "./shipments.ts";
import { packTrace } from "./trace.ts";
import { transactionInformation, transactionInformationCsv } from "./transaction-information.ts";
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

/** An EPCIS 2.0 document's media type and the REST binding's version headers. */
const EPCIS_2_HEADERS = {
  "content-type": "application/ld+json; charset=utf-8",
  "GS1-EPCIS-Version": "2.0",
  "GS1-CBV-Version": "2.0",
};

/** An EPCIS 1.2 XML answer: its media type, the version headers the 2.0 answers carry too, a file name, no caching (trading data). */
function epcis12Response(xml: string, fileName: string): Response {
  return new Response(xml, {
    headers: {
      "content-type": "application/xml; charset=utf-8",
      "GS1-EPCIS-Version": "1.2",
      "GS1-CBV-Version": "1.2",
      "content-disposition": `inline; filename="${fileName}"`,
      "cache-control": "no-store",
    },
  });
}

/** A shipment id as part of a file name (it is checked only later, so anything may stand here). */
const shipmentFileName = (shipmentId: string) =>
  shipmentId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "_")
    .slice(0, 80);

/**
 * Every read route answers a signed-in participant only, and only what it may see (./access.ts):
 * the viewer is read first, then the answer is scoped to it.
 */
export const readApi = {
  batch: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      const viewer = await batchVisible(ctx, request, path);
      parseQuery(noParameters, new URL(request.url).searchParams);
      return jsonResponse(await getBatch(ctx, path.gtin, path.lot, viewer));
    }),
  batchEpcis: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      const viewer = await batchVisible(ctx, request, path);
      parseQuery(noParameters, new URL(request.url).searchParams);
      const document = await batchEpcisDocument(ctx, path.gtin, path.lot, viewer);
      return jsonResponse(document, {
        headers: {
          ...EPCIS_2_HEADERS,
          "content-disposition": `inline; filename="epcis-${`${path.gtin}-${path.lot}`.replace(/[^A-Za-z0-9._-]/g, "_")}.jsonld"`,
        },
      });
    }),
  batchEpcis12: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      const viewer = await batchVisible(ctx, request, path);
      parseQuery(noParameters, new URL(request.url).searchParams);
      const xml = await batchEpcis12Document(ctx, path.gtin, path.lot, viewer);
      return epcis12Response(xml, `epcis12-${`${path.gtin}-${path.lot}`.replace(/[^A-Za-z0-9._-]/g, "_")}.xml`);
    }),
  batchCsv: (ctx: AppContext, request: Request, path: BatchPath) =>
    answer(async () => {
      const viewer = await batchVisible(ctx, request, path);
      parseQuery(noParameters, new URL(request.url).searchParams);
      return batchTimelineCsv(ctx, path.gtin, path.lot, viewer);
    }),
  epcisEvents: (ctx: AppContext, request: Request) =>
    answer(async () => {
      requireRegulator(
        await requireViewer(ctx, request),
        "The EPCIS query interface, which spans every party's events,",
      );
      return epcisEventsResponse(ctx, new URL(request.url));
    }),
  alerts: (ctx: AppContext, request: Request) =>
    answer(async () => alertsResponse(ctx, new URL(request.url).searchParams, await requireViewer(ctx, request))),
  alert: (ctx: AppContext, request: Request, id: string) =>
    answer(async () => jsonResponse(await getAlert(ctx, id, await requireViewer(ctx, request)))),
  changeAlert: (ctx: AppContext, request: Request, id: string) =>
    answer(async () => jsonResponse(await changeAlert(ctx, request, id))),
  recalls: (ctx: AppContext, request: Request) =>
    answer(async () =>
      jsonResponse(await listRecalls(ctx, new URL(request.url).searchParams, await requireViewer(ctx, request))),
    ),
  search: (ctx: AppContext, request: Request) =>
    answer(async () =>
      jsonResponse(await search(ctx, new URL(request.url).searchParams, await requireViewer(ctx, request))),
    ),
  participants: (ctx: AppContext, request: Request) =>
    answer(async () => {
      await requireDirectoryViewer(ctx, request);
      return jsonResponse(await listParticipants(ctx, new URL(request.url).searchParams));
    }),
  ledger: (ctx: AppContext, request: Request) =>
    answer(async () => {
      await requireDirectoryViewer(ctx, request);
      parseQuery(noParameters, new URL(request.url).searchParams);
      return jsonResponse(await ledgerStatus(ctx));
    }),
  party: (ctx: AppContext, request: Request, address: string) =>
    answer(async () => {
      requirePartyAccess(await requireViewer(ctx, request), address);
      return jsonResponse(await getParty(ctx, address, new URL(request.url).searchParams));
    }),
  shipments: (ctx: AppContext, request: Request) =>
    answer(async () => {
      const scope = shipmentScope(await requireViewer(ctx, request));
      return jsonResponse(await listShipments(ctx, new URL(request.url).searchParams, scope));
    }),
  packTrace: (ctx: AppContext, request: Request, path: { gtin: string; serial: string }) =>
    answer(async () => {
      const viewer = await requireViewer(ctx, request);
      const params = new URL(request.url).searchParams;
      const { lot } = parseQuery(z.object({ lot: single.optional() }).strict(), params);
      return jsonResponse(await packTrace(ctx, viewer, path, lot ?? null));
    }),
  transactionInformation: (ctx: AppContext, request: Request, shipmentId: string) =>
    answer(async () => {
      const viewer = await requireViewer(ctx, request);
      const { format } = parseQuery(
        z.object({ format: z.enum(["json", "csv"]).optional() }).strict(),
        new URL(request.url).searchParams,
      );
      const info = await transactionInformation(ctx, viewer, shipmentId);
      return format === "csv" ? transactionInformationCsv(info) : jsonResponse(info);
    }),
  shipmentEpcis: (ctx: AppContext, request: Request, shipmentId: string) =>
    answer(async () => {
      const viewer = await requireViewer(ctx, request);
      parseQuery(noParameters, new URL(request.url).searchParams);
      const document = await shipmentEpcisDocument(ctx, viewer, shipmentId);
      return jsonResponse(document, {
        headers: {
          ...EPCIS_2_HEADERS,
          "content-disposition": `inline; filename="epcis-shipment-${shipmentFileName(shipmentId)}.jsonld"`,
        },
      });
    }),
  shipmentEpcis12: (ctx: AppContext, request: Request, shipmentId: string) =>
    answer(async () => {
      const viewer = await requireViewer(ctx, request);
      parseQuery(noParameters, new URL(request.url).searchParams);
      const xml = await shipmentEpcis12Document(ctx, viewer, shipmentId);
      return epcis12Response(xml, `epcis12-shipment-${shipmentFileName(shipmentId)}.xml`);
    }),
  products: (ctx: AppContext, request: Request) =>
    answer(async () => {
      const viewer = await requireDirectoryViewer(ctx, request);
      return jsonResponse(await listProducts(ctx, new URL(request.url).searchParams, viewer));
    }),
};

/**
 * The viewer may read the batch at `path`: signed in first (an anonymous caller learns nothing,
 * not even that its query is wrong), then 400 for a malformed GTIN or lot, 404 when there is no
 * such batch, 403 when it is not the viewer's to read.
 */
async function batchVisible(ctx: AppContext, request: Request, path: BatchPath): Promise<Viewer> {
  const viewer = await requireViewer(ctx, request);
  await requireBatchAccess(ctx, viewer, await findBatch(ctx.db, path.gtin, path.lot));
  return viewer;
}
