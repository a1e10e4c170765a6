/**
 * The alert workflow (src/server/read/alerts.ts, src/lib/alert-workflow.ts) on a read model
 * written directly: open -> investigating -> closed with a root cause, refused moves and bodies,
 * who may move what, the history of every change, the list's filters, and its CSV export.
 *
 * Alerts are inserted as the verifier raises them; each test that moves alerts raises its own.
 * read-access.test.ts checks the same rules over HTTP on a real chain; verify.test.ts that rescans
 * merge into an alert until it is closed; alerts-migration.test.ts the data migration.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import type { AlertDetailView, AlertsResponse } from "../src/lib/api/read.ts";
import type { ApiErrorBody } from "../src/lib/api-types.ts";
import type { AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { alertHistory, alertPacks, alerts } from "../src/server/db/schema.ts";
import { ALERTS_CSV_HEADER } from "../src/server/read/alerts.ts";
import { readApi } from "../src/server/read/http.ts";
import { parseCsv } from "./read-csv.ts";
import {
  GTIN,
  GTIN_OTHER,
  ODD_LOT,
  PARTIES,
  ReadModelWriter,
  type FixtureBatch,
  type PartyKey,
} from "./read-fixture.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import { openSession, participantLedger, requestAs } from "./support/viewers.ts";

const NOW = new Date("2026-06-01T12:00:00Z");

async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function apiError(response: Response, status: number, code: string): Promise<ApiErrorBody["error"]> {
  const body = await json<ApiErrorBody>(response, status);
  assert.equal(body.error.code, code, body.error.message);
  return body.error;
}

describe(`alert workflow (${TEST_DATABASE_KIND})`, () => {
  let database: OpenedDatabase;
  let ctx: AppContext;
  let main: FixtureBatch;
  let odd: FixtureBatch;
  const as = {} as Record<PartyKey | "anonymous", (path: string, init?: RequestInit) => Request>;

  /** An alert as the verifier records it, reported by `by` (a pharmacy's scan unless said otherwise). */
  async function raise(by: PartyKey | null, values: Partial<typeof alerts.$inferInsert> = {}): Promise<number> {
    const [row] = await database.db
      .insert(alerts)
      .values({
        verdict: "DISPENSED",
        purpose: "dispense",
        gtin: GTIN,
        lot: "A1",
        // A pack of its own: one alert not yet closed per pack and reporter.
        serial: `S${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
        batchId: main.batchId,
        reportedBy: by === null ? null : PARTIES[by].address,
        message: "This pack was already dispensed.",
        ...values,
      })
      .returning();
    return row!.id;
  }

  const patch = (who: PartyKey | "anonymous", id: number, body: unknown) =>
    readApi.changeAlert(
      ctx,
      as[who](`/api/alerts/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
      String(id),
    );
  const detail = async (who: PartyKey, id: number) =>
    json<AlertDetailView>(await readApi.alert(ctx, as[who](`/api/alerts/${id}`), String(id)));
  const list = async (who: PartyKey, query = "") =>
    json<AlertsResponse>(await readApi.alerts(ctx, as[who](`/api/alerts${query}`)));
  const historyRows = async (id: number) => database.db.select().from(alertHistory).where(eq(alertHistory.alertId, id));

  const INVESTIGATING = { status: "INVESTIGATING" };
  const close = (rootCause: string, note = "Checked the pack and the scanner's log.") => ({
    status: "CLOSED",
    rootCause,
    note,
  });

  before(async () => {
    database = await openTestDatabase();
    const ledger = {
      chainId: 31337,
      address: `0x${"0".repeat(40)}` as const,
      deploymentBlock: 0,
      rpcUrl: "http://127.0.0.1:9",
    };
    ctx = { db: database.db, database, chain: participantLedger(Object.values(PARTIES)), ledger, now: () => NOW };
    for (const key of Object.keys(PARTIES) as PartyKey[])
      as[key] = requestAs(await openSession(ctx, PARTIES[key].address));
    as.anonymous = (path, init) => new Request(`http://localhost${path}`, init);
    const w = new ReadModelWriter(database.db);
    w.onboard("acme", "northwind", "central", "agency");
    main = w.registerBatch(GTIN, "A1", 100, 20271231);
    odd = w.registerBatch(GTIN_OTHER, ODD_LOT, 10, 20280100);
    await w.flush();
  });
  after(async () => {
    await database?.close();
  });

  describe("moving an alert", () => {
    it("goes open -> investigating -> closed with a root cause, each change recorded with who, when and why", async () => {
      const id = await raise("central");
      assert.deepEqual((await detail("agency", id)).history, []);

      const investigating = await json<AlertDetailView>(
        await patch("agency", id, { status: "INVESTIGATING", note: "  Asked the pharmacy for a photo.  " }),
      );
      assert.equal(investigating.status, "INVESTIGATING");
      assert.equal(investigating.rootCause, null);

      const closed = await json<AlertDetailView>(
        await patch("agency", id, close("FALSIFIED", "The carton is a copy: wrong font, no tamper seal.")),
      );
      assert.deepEqual([closed.status, closed.rootCause], ["CLOSED", "FALSIFIED"]);
      const agency = { address: PARTIES.agency.address, name: "Medicines Agency", role: "REGULATOR" };
      assert.deepEqual(closed.history, [
        {
          at: NOW.toISOString(),
          by: agency,
          from: "OPEN",
          to: "INVESTIGATING",
          rootCause: null,
          note: "Asked the pharmacy for a photo.",
        },
        {
          at: NOW.toISOString(),
          by: agency,
          from: "INVESTIGATING",
          to: "CLOSED",
          rootCause: "FALSIFIED",
          note: "The carton is a copy: wrong font, no tamper seal.",
        },
      ]);
      // What the move answered is what is stored.
      assert.deepEqual(await detail("agency", id), closed);
    });

    it("refuses a move the workflow does not allow with 409, saying what to do, and changes nothing", async () => {
      const open = await raise("central");
      let error = await apiError(await patch("agency", open, close("GENUINE")), 409, "INVALID_TRANSITION");
      assert.match(error.message, new RegExp(`Alert ${open} is open: move it to INVESTIGATING first`));
      assert.deepEqual(error.details, { from: "OPEN", to: "CLOSED", next: "INVESTIGATING" });
      error = await apiError(await patch("agency", open, { status: "OPEN" }), 409, "INVALID_TRANSITION");
      assert.match(error.message, /already open/);

      await json(await patch("agency", open, INVESTIGATING));
      error = await apiError(await patch("agency", open, INVESTIGATING), 409, "INVALID_TRANSITION");
      assert.match(error.message, /already investigating/);
      error = await apiError(await patch("agency", open, { status: "OPEN" }), 409, "INVALID_TRANSITION");
      assert.match(error.message, /cannot go back to open: close it with a root cause/);

      await json(await patch("agency", open, close("GENUINE")));
      for (const body of [INVESTIGATING, { status: "OPEN" }, close("FALSIFIED")]) {
        error = await apiError(await patch("agency", open, body), 409, "INVALID_TRANSITION");
        assert.match(error.message, /closed \(genuine \(false alarm\)\), and a closed alert is final/);
      }
      assert.equal((await historyRows(open)).length, 2);
      assert.equal((await detail("agency", open)).rootCause, "GENUINE");
    });

    it("refuses a body that cannot be right in any state with 400, naming what is missing", async () => {
      const id = await raise("central");
      await json(await patch("agency", id, INVESTIGATING));
      const refusals: [unknown, string, RegExp][] = [
        [{ status: "CLOSED", note: "x" }, "ROOT_CAUSE_REQUIRED", /SCANNER_OR_DATA_ERROR, GENUINE, FALSIFIED/],
        [{ status: "CLOSED", rootCause: "FALSIFIED" }, "NOTE_REQUIRED", /note saying what the investigation found/],
        [close("FALSIFIED", "   "), "NOTE_REQUIRED", /note/],
        [{ status: "INVESTIGATING", rootCause: "GENUINE" }, "ROOT_CAUSE_WHEN_CLOSING", /send it with status CLOSED/],
        [close("COUNTERFEIT"), "INVALID_BODY", /JSON body such as/],
        [close("FALSIFIED", "a\u0000b"), "INVALID_BODY", /JSON body such as/],
        [{ status: "CLOSED", rootCause: "FALSIFIED", note: "x", by: "someone" }, "INVALID_BODY", /JSON body such as/],
        [{ status: "DONE" }, "INVALID_BODY", /JSON body such as/],
      ];
      for (const [body, code, words] of refusals) {
        const error = await apiError(await patch("agency", id, body), 400, code);
        assert.match(error.message, words, JSON.stringify(body));
      }
      const tooLong = await apiError(
        await patch("agency", id, close("FALSIFIED", "x".repeat(501))),
        400,
        "INVALID_BODY",
      );
      assert.deepEqual(tooLong.details, [{ path: "note", message: "must be at most 500 characters" }]);
      await apiError(await patch("agency", id, "not json"), 400, "INVALID_JSON");
      assert.equal((await detail("agency", id)).status, "INVESTIGATING");
      assert.equal((await historyRows(id)).length, 1);
      // 500 characters is allowed.
      assert.equal(
        (await json<AlertDetailView>(await patch("agency", id, close("GENUINE", "y".repeat(500))))).status,
        "CLOSED",
      );
    });

    it("lets only one of two people moving the same alert at once succeed", async () => {
      const id = await raise("central");
      const answers = await Promise.all([patch("agency", id, INVESTIGATING), patch("agency", id, INVESTIGATING)]);
      const statuses = answers.map((answer) => answer.status).sort();
      assert.deepEqual(statuses, [200, 409]);
      assert.equal((await historyRows(id)).length, 1);
    });
  });

  describe("who may move an alert", () => {
    it("the reporting party may investigate its own alert and close it as its scanner or data error, nothing else", async () => {
      const id = await raise("central");
      await json(await patch("central", id, INVESTIGATING));
      for (const rootCause of ["GENUINE", "FALSIFIED"]) {
        const error = await apiError(await patch("central", id, close(rootCause)), 403, "WRONG_ROLE");
        assert.match(error.message, /Only a regulator concludes that a pack is/);
        assert.match(error.message, /may close it as a scanner or data error/);
      }
      const closed = await json<AlertDetailView>(
        await patch("central", id, close("SCANNER_OR_DATA_ERROR", "Our scanner misread the label.")),
      );
      assert.deepEqual(
        closed.history.map((change) => [change.by.name, change.by.role, change.from, change.to, change.rootCause]),
        [
          ["Central Pharmacy", "PHARMACY", "OPEN", "INVESTIGATING", null],
          ["Central Pharmacy", "PHARMACY", "INVESTIGATING", "CLOSED", "SCANNER_OR_DATA_ERROR"],
        ],
      );
    });

    it("the batch's manufacturer sees the alert but may not move it; a party with no part in it does not see it", async () => {
      const id = await raise("central");
      const error = await apiError(await patch("acme", id, INVESTIGATING), 403, "WRONG_ROLE");
      assert.match(error.message, /the party whose scan raised it, or by a regulator; Acme Pharma is neither/);
      assert.equal((await detail("acme", id)).id, id);
      await apiError(await patch("northwind", id, INVESTIGATING), 404, "ALERT_NOT_FOUND");
      await apiError(await readApi.alert(ctx, as.northwind(`/api/alerts/${id}`), String(id)), 404, "ALERT_NOT_FOUND");
      // Nor may one party move another's alert; an alert that does not exist is not found, even for a regulator.
      const northwinds = await raise("northwind", { batchId: odd.batchId, gtin: GTIN_OTHER, lot: ODD_LOT });
      await apiError(await patch("central", northwinds, INVESTIGATING), 404, "ALERT_NOT_FOUND");
      await apiError(await patch("agency", 99_999, INVESTIGATING), 404, "ALERT_NOT_FOUND");
      assert.equal((await historyRows(id)).length, 0);
      assert.equal((await historyRows(northwinds)).length, 0);
    });

    it("an illegitimate finding: its holder sees it, a regulator closes it as falsified only, its finder may only take it up", async () => {
      // As the indexer raises it when a quarantine ends ILLEGITIMATE (test/illegitimate-alerts.test.ts).
      const finding = (by: PartyKey, sourceTx: string) =>
        raise(by, {
          verdict: "ILLEGITIMATE",
          purpose: "quarantine",
          serial: null,
          holder: PARTIES.northwind.address,
          sourceTx,
          message: "Found illegitimate and destroyed: 2 packs.",
        });
      const byAgency = await finding("agency", `0x${"1".repeat(64)}`);
      await database.db.insert(alertPacks).values([
        { alertId: byAgency, index: 4, serial: "S4", unit: "095201200000000017" },
        { alertId: byAgency, index: 5, serial: null, unit: null },
      ]);
      // The holder, the batch's manufacturer and regulators see it; another party does not.
      const seen = await detail("northwind", byAgency);
      assert.deepEqual(
        [seen.holder?.name, seen.transactionHash, seen.packCount, seen.packs],
        [
          "Northwind Wholesale",
          `0x${"1".repeat(64)}`,
          2,
          [
            { index: 4, serial: "S4", unit: "095201200000000017" },
            { index: 5, serial: null, unit: null },
          ],
        ],
      );
      assert.equal((await detail("acme", byAgency)).id, byAgency);
      await apiError(
        await readApi.alert(ctx, as.central(`/api/alerts/${byAgency}`), String(byAgency)),
        404,
        "ALERT_NOT_FOUND",
      );
      assert.ok((await list("northwind")).alerts.some((a) => a.id === byAgency));
      // The holder did not end the quarantine: it may not move the alert.
      await apiError(await patch("northwind", byAgency, INVESTIGATING), 403, "WRONG_ROLE");

      await json(await patch("agency", byAgency, INVESTIGATING));
      for (const rootCause of ["GENUINE", "SCANNER_OR_DATA_ERROR"]) {
        const error = await apiError(await patch("agency", byAgency, close(rootCause)), 409, "INVALID_ROOT_CAUSE");
        assert.match(error.message, /illegitimate finding: the ledger destroyed its packs .* closes as FALSIFIED/);
      }
      const closed = await json<AlertDetailView>(
        await patch("agency", byAgency, close("FALSIFIED", "Distributors and pharmacies told; FDA 3911 filed.")),
      );
      assert.deepEqual([closed.status, closed.rootCause], ["CLOSED", "FALSIFIED"]);

      // A holder that ended its own quarantine so found it: it may take it up, not close it.
      const own = await finding("northwind", `0x${"2".repeat(64)}`);
      await json(await patch("northwind", own, INVESTIGATING));
      for (const rootCause of ["SCANNER_OR_DATA_ERROR", "FALSIFIED"]) {
        const error = await apiError(await patch("northwind", own, close(rootCause)), 403, "WRONG_ROLE");
        assert.match(error.message, /a regulator closes it, as falsified/);
      }
      assert.equal((await detail("agency", own)).status, "INVESTIGATING");
    });

    it("anonymous callers get 401 and nothing else, before their request is judged", async () => {
      const id = await raise("central");
      await apiError(await patch("anonymous", id, INVESTIGATING), 401, "NOT_SIGNED_IN");
      await apiError(await patch("anonymous", id, { status: "DONE" }), 401, "NOT_SIGNED_IN");
      await apiError(await readApi.alert(ctx, as.anonymous(`/api/alerts/${id}`), String(id)), 401, "NOT_SIGNED_IN");
      await apiError(await readApi.alerts(ctx, as.anonymous("/api/alerts?status=DONE")), 401, "NOT_SIGNED_IN");
      await apiError(await readApi.alerts(ctx, as.anonymous("/api/alerts?format=csv")), 401, "NOT_SIGNED_IN");
      assert.equal((await detail("agency", id)).status, "OPEN");
    });
  });

  describe("the list", () => {
    /** The alerts of the filter tests: their own serials, so other tests' alerts are told apart by `only`. */
    const ids = {} as Record<"dispensed" | "unknown" | "mismatch" | "legacy", number>;
    const only = (body: AlertsResponse) => body.alerts.map((a) => a.id).filter((id) => Object.values(ids).includes(id));

    before(async () => {
      ids.legacy = await raise(null, {
        verdict: "UNKNOWN_PRODUCT",
        purpose: "verify",
        gtin: null,
        lot: null,
        serial: null,
        batchId: null,
        message: "Unknown product",
        raisedAt: new Date("2026-04-01T09:00:00Z"),
        lastSeenAt: new Date("2026-04-01T09:00:00Z"),
      });
      ids.dispensed = await raise("central", {
        message: 'Dispensed on 1 May, "again", by Central',
        raisedAt: new Date("2026-05-02T10:00:00Z"),
        lastSeenAt: new Date("2026-05-04T09:30:00Z"),
        occurrences: 3,
      });
      ids.unknown = await raise("northwind", {
        verdict: "UNKNOWN_SERIAL",
        purpose: "verify",
        message: '=HYPERLINK("http://evil.example") unknown serial',
        raisedAt: new Date("2026-05-10T08:00:00Z"),
        lastSeenAt: new Date("2026-05-10T08:00:00Z"),
      });
      ids.mismatch = await raise("central", {
        verdict: "MISMATCH",
        gtin: GTIN_OTHER,
        lot: ODD_LOT,
        batchId: odd.batchId,
        message: "Expiry does not match",
        raisedAt: new Date("2026-05-20T23:30:00Z"),
        lastSeenAt: new Date("2026-05-20T23:30:00Z"),
      });
      await json(await patch("agency", ids.dispensed, INVESTIGATING));
      await json(await patch("agency", ids.mismatch, INVESTIGATING));
      await json(await patch("agency", ids.mismatch, close("SCANNER_OR_DATA_ERROR", "A misprinted label.")));
    });

    it("shows how many scans were merged into each alert and when it was first and last seen", async () => {
      const dispensed = (await list("agency")).alerts.find((a) => a.id === ids.dispensed)!;
      assert.equal(dispensed.occurrences, 3);
      assert.equal(dispensed.raisedAt, "2026-05-02T10:00:00.000Z");
      assert.equal(dispensed.lastSeenAt, "2026-05-04T09:30:00.000Z");
      assert.equal(dispensed.status, "INVESTIGATING");
    });

    it("filters by state, product, reporting party and date range, alone and together", async () => {
      const cases: [string, number[]][] = [
        ["", [ids.mismatch, ids.unknown, ids.dispensed, ids.legacy]],
        ["?status=OPEN", [ids.unknown, ids.legacy]],
        ["?status=investigating", [ids.dispensed]],
        ["?status=CLOSED", [ids.mismatch]],
        [`?gtin=${GTIN_OTHER}`, [ids.mismatch]],
        // A GTIN-13 is the same product.
        [`?gtin=${GTIN.slice(1)}`, [ids.unknown, ids.dispensed]],
        [`?reporter=${PARTIES.central.address.toUpperCase().replace("0X", "0x")}`, [ids.mismatch, ids.dispensed]],
        [`?reporter=${PARTIES.northwind.address}`, [ids.unknown]],
        ["?from=2026-05-10", [ids.mismatch, ids.unknown]],
        // A bare `to` date includes that whole day.
        ["?from=2026-05-02&to=2026-05-20", [ids.mismatch, ids.unknown, ids.dispensed]],
        ["?to=2026-05-19", [ids.unknown, ids.dispensed, ids.legacy]],
        ["?from=2026-05-02T10:00:01Z", [ids.mismatch, ids.unknown]],
        [
          `?status=OPEN&gtin=${GTIN}&reporter=${PARTIES.northwind.address}&from=2026-05-01&to=2026-05-31`,
          [ids.unknown],
        ],
        [`?status=CLOSED&reporter=${PARTIES.northwind.address}`, []],
      ];
      for (const [query, expected] of cases) assert.deepEqual(only(await list("agency", query)), expected, query);
    });

    it("keeps a page token to the filters it was given for", async () => {
      const query = `?reporter=${PARTIES.central.address}&perPage=1`;
      const first = await list("agency", query);
      assert.deepEqual(only(first), [ids.mismatch]);
      const second = await list("agency", `${query}&nextPageToken=${first.nextPageToken}`);
      assert.deepEqual(only(second), [ids.dispensed]);
      await apiError(
        await readApi.alerts(
          ctx,
          as.agency(`/api/alerts?reporter=${PARTIES.northwind.address}&perPage=1&nextPageToken=${first.nextPageToken}`),
        ),
        400,
        "INVALID_PAGE_TOKEN",
      );
    });

    it("refuses garbage filters with a 400 that names the parameter and what to send", async () => {
      const refusals: [string, string, RegExp][] = [
        ["?status=DONE", "INVALID_QUERY", /status must be OPEN, INVESTIGATING or CLOSED/],
        ["?reporter=central", "INVALID_QUERY", /reporter must be an account address: 0x followed by 40 hexadecimal/],
        [
          `?reporter=${PARTIES.central.address}&reporter=${PARTIES.acme.address}`,
          "INVALID_QUERY",
          /reporter was given more than once/,
        ],
        ["?gtin=09520123456789", "INVALID_GTIN", /wrong check digit/],
        ["?from=2026-13-01", "INVALID_QUERY", /from must be an ISO 8601 date/],
        ["?to=last+week", "INVALID_QUERY", /to 'last week' must be an ISO 8601 date/],
        ["?from=2026-05-20&to=2026-05-10", "INVALID_QUERY", /from must be before to/],
        ["?party=central", "INVALID_QUERY", /unknown parameter\(s\) 'party'/],
      ];
      for (const [query, code, words] of refusals) {
        const error = await apiError(await readApi.alerts(ctx, as.agency(`/api/alerts${query}`)), 400, code);
        assert.match(error.message, words, query);
      }
    });

    it("lists to a party only the alerts it may see, whatever it filters by", async () => {
      const central = only(await list("central"));
      assert.deepEqual(central, [ids.mismatch, ids.dispensed]);
      assert.deepEqual(only(await list("central", `?reporter=${PARTIES.northwind.address}`)), []);
      assert.deepEqual(only(await list("northwind")), [ids.unknown]);
      // The manufacturer sees the alerts on its batches (both batches are Acme's), not the legacy one.
      assert.deepEqual(only(await list("acme")), [ids.mismatch, ids.unknown, ids.dispensed]);
    });

    describe("CSV export", () => {
      const csv = async (who: PartyKey, query: string) => {
        const response = await readApi.alerts(ctx, as[who](`/api/alerts?format=csv${query}`));
        assert.equal(response.status, 200);
        assert.match(response.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8; header=present/);
        assert.match(
          response.headers.get("content-disposition") ?? "",
          /^attachment; filename="alerts-2026-06-01\.csv"$/,
        );
        const text = await response.text();
        return { text, rows: parseCsv(text) };
      };

      it("holds the filtered list with a header row, ISO dates, occurrences, state and root cause", async () => {
        const { text, rows } = await csv("agency", `&gtin=${GTIN_OTHER}&status=CLOSED`);
        assert.deepEqual(rows[0], [...ALERTS_CSV_HEADER]);
        assert.deepEqual(rows[0]!.slice(0, 6), [
          "id",
          "raised_at",
          "last_seen_at",
          "occurrences",
          "status",
          "root_cause",
        ]);
        assert.equal(rows.length, 2);
        const row = Object.fromEntries(ALERTS_CSV_HEADER.map((name, i) => [name, rows[1]![i]]));
        assert.deepEqual(
          [row.id, row.raised_at, row.last_seen_at, row.occurrences, row.status, row.root_cause],
          [
            String(ids.mismatch),
            "2026-05-20T23:30:00.000Z",
            "2026-05-20T23:30:00.000Z",
            "1",
            "CLOSED",
            "SCANNER_OR_DATA_ERROR",
          ],
        );
        // A lot that starts like a formula is neutralised; lines end with CRLF.
        assert.equal(row.lot, `'${ODD_LOT}`);
        assert.equal(row.reported_by_name, "Central Pharmacy");
        assert.ok(text.endsWith("\r\n"));
      });

      it("quotes fields with commas and quotes, and lists exactly what the JSON list does", async () => {
        const query = `&from=2026-05-01&to=2026-05-15`;
        const { rows } = await csv("agency", query);
        const idColumn = ALERTS_CSV_HEADER.indexOf("id");
        const messageColumn = ALERTS_CSV_HEADER.indexOf("message");
        const byId = new Map(rows.slice(1).map((row) => [Number(row[idColumn]), row]));
        assert.deepEqual(
          rows.slice(1).map((row) => Number(row[idColumn])),
          (await list("agency", `?from=2026-05-01&to=2026-05-15`)).alerts.map((a) => a.id),
        );
        assert.equal(byId.get(ids.dispensed)![messageColumn], 'Dispensed on 1 May, "again", by Central');
        assert.equal(byId.get(ids.dispensed)![ALERTS_CSV_HEADER.indexOf("occurrences")], "3");
        assert.equal(byId.get(ids.unknown)![messageColumn], `'=HYPERLINK("http://evil.example") unknown serial`);
      });

      it("follows the list's access rules and filters", async () => {
        const idColumn = ALERTS_CSV_HEADER.indexOf("id");
        const exported = async (who: PartyKey, query: string) =>
          (await csv(who, query)).rows
            .slice(1)
            .map((row) => Number(row[idColumn]))
            .filter((id) => Object.values(ids).includes(id));
        assert.deepEqual(await exported("northwind", ""), [ids.unknown]);
        assert.deepEqual(await exported("central", `&reporter=${PARTIES.northwind.address}`), []);
        assert.deepEqual(await exported("agency", "&status=INVESTIGATING"), [ids.dispensed]);
        await apiError(
          await readApi.alerts(ctx, as.agency("/api/alerts?format=csv&status=DONE")),
          400,
          "INVALID_QUERY",
        );
      });
    });
  });
});
