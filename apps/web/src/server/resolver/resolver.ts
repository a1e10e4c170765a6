/**
 * This host as a GS1-Conformant resolver for the Digital Link URIs its labels print
 * (<origin>/01/<gtin>[/10/<lot>][/21/<serial>][?17=<expiry>]):
 *
 * - a browser gets the patient page (the /01/... page; src/proxy.ts sends only the requests below here);
 * - `Accept: application/linkset+json`, or `?linkType=linkset` (or `all`), gets the identifier's
 *   linkset (RFC 9264 JSON, the resolver standard's shape): every link type this host serves for it;
 * - `?linkType=<type>` (a CURIE such as gs1:verificationService, or the full IRI) gets a 307 redirect to
 *   that link; for gs1:verificationService that is the VRS verification request for the pack, with the
 *   expiry as `exp` and the requester's VRS parameters (context, reqGLN, corrUUID, ...) carried over.
 *
 * The URI is read by @pedigree/gs1 (a malformed one is a 400 naming the GS1 error), links are written
 * by its toDigitalLink, on the configured public origin (the one labels print), never the Host header.
 * A GTIN whose product is not registered here is a 404.
 */
import { parseGs1, toDigitalLink, type Gs1Value } from "@pedigree/gs1";
import { sql } from "drizzle-orm";
import { ApiError, jsonResponse } from "../api/errors.ts";
import { publicOrigin } from "../auth/origin.ts";
import type { AppContext } from "../context.ts";
import { selectRows } from "../db/database.ts";
import { GS1_VOC, LINKSET_CONTEXT, LINKSET_TYPE, linkTypeName } from "./link-types.ts";

/** The VRS parameters a verificationService redirect carries over from the Digital Link request. */
const VRS_PARAMETERS = ["context", "reqGLN", "corrUUID", "ctrlPossessAtt", "email", "telephone"];

export interface Link {
  href: string;
  title: string;
  type: string;
  hreflang?: string[];
}

export interface Linkset {
  linkset: [{ anchor: string; itemDescription?: string; description?: string } & Record<string, unknown>];
}

interface ProductRow {
  name: string;
  strength: string;
  dosageForm: string;
  manufacturerName: string | null;
}

/** The links this host serves for `value` (a parsed Digital Link), by GS1 term. */
export function linksFor(
  value: Gs1Value & { gtin: string },
  origin: string,
  product: ProductRow,
): Record<string, Link[]> {
  const page = toDigitalLink(pick(value, true), origin);
  const links: Record<string, Link[]> = {
    defaultLink: [{ href: page, title: "Check this medicine", type: "text/html", hreflang: ["en"] }],
    pip: [
      {
        href: page,
        title: `${product.name}: whether this pack is genuine, its expiry and any recall`,
        type: "text/html",
        hreflang: ["en"],
      },
    ],
  };
  if (value.lot !== undefined && value.serial !== undefined) {
    const base = `${origin}/vrs/verify/gtin/${value.gtin}/lot/${encodeURIComponent(value.lot)}/ser/${encodeURIComponent(value.serial)}`;
    const exp = value.expiry === undefined ? "" : `exp=${value.expiry.raw}&`;
    links.verificationService = [
      {
        href: `${base}?${exp}linkType=verificationService`,
        title: "Verification of this product identifier (GS1 Lightweight Messaging; authorized trading partners)",
        type: "application/json",
      },
    ];
  }
  if (value.lot !== undefined) {
    links.epcis = [
      {
        href: `${origin}/api/batches/${value.gtin}/${encodeURIComponent(value.lot)}/epcis`,
        title: "EPCIS 2.0 events of this batch (signed-in trading partners of the batch)",
        type: "application/ld+json",
      },
    ];
  }
  links.recallStatus = [
    value.serial === undefined
      ? {
          href: `${origin}/api/recalls?gtin=${value.gtin}`,
          title: "Recalls of this product (signed-in participants)",
          type: "application/json",
        }
      : {
          href: `${origin}/api/verify?code=${encodeURIComponent(page)}`,
          title: "Recall status and verification of this pack",
          type: "application/json",
        },
  ];
  return links;
}

function pick(value: Gs1Value & { gtin: string }, withExpiry: boolean): Gs1Value {
  return {
    gtin: value.gtin,
    ...(value.lot === undefined ? {} : { lot: value.lot }),
    ...(value.serial === undefined ? {} : { serial: value.serial }),
    ...(withExpiry && value.expiry !== undefined ? { expiry: value.expiry } : {}),
  };
}

function contextLink(): string {
  return `<${LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
}

/**
 * GET /01/... (rewritten by the proxy to /api/resolver/01/...): `segments` are the path's segments
 * after /api/resolver, each decoded once.
 */
export async function resolverResponse(ctx: AppContext, request: Request, segments: string[]): Promise<Response> {
  const url = new URL(request.url);
  const origin = publicOrigin().origin;
  const linkTypes = url.searchParams.getAll("linkType");
  if (linkTypes.length > 1) {
    throw new ApiError(400, "REPEATED_PARAMETER", `Give linkType once (it appears ${linkTypes.length} times).`);
  }
  const requested = linkTypes[0];
  const link = `${origin}/${segments.map(encodeURIComponent).join("/")}${url.search}`;
  const parsed = parseGs1(link);
  if (!parsed.ok) {
    throw new ApiError(
      400,
      "INVALID_DIGITAL_LINK",
      `This is not a GS1 Digital Link this resolver reads: ${parsed.error.message}.`,
      {
        details: { gs1: parsed.error },
      },
    );
  }
  if (parsed.form !== "digital-link" || parsed.value.gtin === undefined) {
    throw new ApiError(404, "NOT_RESOLVED", "This resolver answers GS1 Digital Links of products: /01/<GTIN>/...");
  }
  const value = { ...parsed.value, gtin: parsed.value.gtin };
  const [product] = await selectRows<ProductRow>(
    ctx.db,
    sql`select p.name, p.strength, p.dosage_form as "dosageForm", pa.legal_name as "manufacturerName"
          from products p left join participants pa on pa.address = p.manufacturer where p.gtin = ${value.gtin}`,
  );
  if (product === undefined) {
    throw new ApiError(
      404,
      "GTIN_NOT_SERVED",
      `This resolver has no links for GTIN ${value.gtin}: no product with it is registered here.`,
      {
        details: { gtin: value.gtin },
      },
    );
  }
  const links = linksFor(value, origin, product);
  const name = requested === undefined ? "linkset" : linkTypeName(requested);
  if (name === "linkset") {
    const description = [product.name, product.strength, product.dosageForm].filter((part) => part !== "").join(" ");
    const body: Linkset = {
      linkset: [
        {
          anchor: toDigitalLink(pick(value, false), origin),
          itemDescription: description,
          description,
          ...Object.fromEntries(Object.entries(links).map(([term, list]) => [`${GS1_VOC}${term}`, list])),
        },
      ],
    };
    return jsonResponse(body, {
      headers: { "content-type": `${LINKSET_TYPE}; charset=utf-8`, link: contextLink(), vary: "Accept" },
    });
  }
  const target = name === undefined ? undefined : links[name]?.[0];
  if (target === undefined) {
    throw new ApiError(
      404,
      "LINK_TYPE_NOT_AVAILABLE",
      `There is no link of type '${(requested ?? "").slice(0, 80)}' for this identifier; there are gs1:${Object.keys(links).join(", gs1:")} (or linkType=linkset for all of them).`,
      { details: { available: Object.keys(links).map((term) => `gs1:${term}`) } },
    );
  }
  let location = target.href;
  if (name === "verificationService") {
    const carried = new URLSearchParams();
    for (const parameter of VRS_PARAMETERS) {
      for (const v of url.searchParams.getAll(parameter)) carried.append(parameter, v);
    }
    if ([...carried.keys()].length > 0) location += `&${carried.toString()}`;
  }
  return new Response(null, {
    status: 307,
    headers: {
      location,
      link: `<${origin}/${segments.map(encodeURIComponent).join("/")}?linkType=linkset>; rel="linkset"; type="${LINKSET_TYPE}"`,
      "cache-control": "no-store",
      vary: "Accept",
    },
  });
}
