import type { ShipmentView } from "@/lib/api/read.ts";

/** A shipment as the ledger settles it: all its lines together (the read API lists one row per line). */
export interface ShipmentGroup {
  shipmentId: string;
  from: ShipmentView["from"];
  to: ShipmentView["to"];
  reference: string;
  shippedAt: string;
  shippedTx: string;
  lines: ShipmentView[];
}

export function groupShipments(lines: readonly ShipmentView[]): ShipmentGroup[] {
  const groups = new Map<string, ShipmentGroup>();
  for (const line of lines) {
    const group = groups.get(line.shipmentId);
    if (group) group.lines.push(line);
    else
      groups.set(line.shipmentId, {
        shipmentId: line.shipmentId,
        from: line.from,
        to: line.to,
        reference: line.reference,
        shippedAt: line.shippedAt,
        shippedTx: line.shippedTx,
        lines: [line],
      });
  }
  return [...groups.values()];
}
