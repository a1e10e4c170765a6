/**
 * Link types of the GS1 Digital Link resolver, and how a request asks for them: pure, so the proxy
 * (src/proxy.ts) can tell a browser from a machine without loading the database (./resolver.ts).
 */
/** The GS1 Web Vocabulary's namespace: link relation types are its IRIs. */
export const GS1_VOC = "https://ref.gs1.org/voc/";
/** The older IRIs of the same terms, which requests may still name. */
const GS1_VOC_ALIASES = ["https://gs1.org/voc/", "https://www.gs1.org/voc/", "http://gs1.org/voc/"];
export const LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context";
export const LINKSET_TYPE = "application/linkset+json";

/** Whether an Accept header asks for a linkset (application/linkset+json with a q above 0). */
export function acceptsLinkset(accept: string | null): boolean {
  if (accept === null) return false;
  return accept.split(",").some((range) => {
    const [type, ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== LINKSET_TYPE) return false;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The link type a `linkType` value names, as the short name of the GS1 term (`pip`), or "linkset". */
export function linkTypeName(value: string): string | undefined {
  if (value === "all" || value === "linkset") return "linkset";
  if (value.startsWith("gs1:")) return value.slice(4) || undefined;
  for (const namespace of [GS1_VOC, ...GS1_VOC_ALIASES]) {
    if (value.startsWith(namespace)) return value.slice(namespace.length) || undefined;
  }
  return undefined;
}

/** Link types the browser's page itself serves: no rewrite for them. */
export function isPageLinkType(value: string | null): boolean {
  if (value === null) return true;
  const name = linkTypeName(value);
  return name === "pip" || name === "defaultLink";
}
