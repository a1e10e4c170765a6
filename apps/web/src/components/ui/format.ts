/** Display formats shared by the dashboard's pages (dates in UTC, as the ledger keeps them). */

export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

export function shortHash(hash: string): string {
  return hash.length > 14 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash;
}

const dateTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});
const dateOnly = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** A YYYY-MM-DD date (an expiry) as "31 Dec 2027". */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}

export function formatUnits(units: number): string {
  return `${units.toLocaleString("en-GB")} ${units === 1 ? "unit" : "units"}`;
}

export function formatNumber(value: number): string {
  return value.toLocaleString("en-GB");
}

export function roleLabel(role: string | null | undefined): string {
  if (!role) return "Not a participant";
  return (
    {
      MANUFACTURER: "Manufacturer",
      DISTRIBUTOR: "Distributor",
      PHARMACY: "Pharmacy",
      REGULATOR: "Regulator",
      ADMIN: "Administrator",
    }[role] ?? role
  );
}
