/**
 * CSV exports (RFC 4180): fields with a comma, quote, CR or LF are quoted, quotes doubled, lines
 * end with CRLF. Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab
 * or carriage return that some spreadsheets skip before one) get a leading apostrophe, as OWASP
 * advises against CSV injection: an event reason or a party name is text written by someone else.
 */

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  // Numbers are the application's own (block numbers, quantities): a negative one stays a number.
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = csvLine(header);
  for (const row of rows) out += csvLine(row);
  return out;
}

/**
 * A CSV body streamed page by page (a page being the rows of one database read), so a long export
 * never holds all its rows at once: the header first, then each page as one chunk.
 */
export function csvStream(
  header: readonly string[],
  pages: AsyncIterable<Iterable<readonly CsvValue[]>>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(header)));
        return;
      }
      const next = await iterator.next();
      if (next.done === true) {
        controller.close();
        return;
      }
      let text = "";
      for (const row of next.value) text += csvLine(row);
      if (text !== "") controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** A CSV download: text/csv with a header row (RFC 4180's `header=present`) and a file name. */
export function csvResponse(body: string | ReadableStream<Uint8Array>, filename: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8; header=present",
      "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
