/** A strict RFC 4180 reader for the CSV tests: quoted fields, doubled quotes, CRLF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (c === '"' || c === "\n" || c === "\r") {
      throw new Error(`Not RFC 4180 at offset ${i}: stray ${JSON.stringify(c)}`);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error("Not RFC 4180: unterminated quoted field");
  if (field !== "" || row.length > 0) throw new Error("Not RFC 4180: the last line does not end with CRLF");
  return rows;
}
