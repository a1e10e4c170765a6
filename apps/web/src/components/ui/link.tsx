import NextLink from "next/link";
import type { ComponentProps } from "react";

/**
 * The dashboard's links: next/link without prefetching. Every dashboard page is rendered per
 * request for its signed-in party (session, chain reads, the page's data), so prefetching each
 * link on screen cost the server one render per link and page view (18 on the manufacturer's
 * page), all competing with the reads of the page being opened. A link is fetched when followed.
 */
export function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}
