/**
 * GET /api/batches/<gtin>/<lot>/epcis12: a batch's events as an EPCIS 1.2 XML document with the
 * GS1 US healthcare header, under the same access rules as the 2.0 export, saying the same as the
 * 2.0 export of the same batch, and valid against GS1's EPCIS 1.2 XSD.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EpcisDocument } from "@pedigree/ledger";
import type { AppContext } from "../src/server/context.ts";
import type { OpenedDatabase } from "../src/server/db/database.ts";
import { readApi, type BatchPath } from "../src/server/read/http.ts";
import type { ApiErrorBody } from "../src/lib/api-types.ts";
import { openTestDatabase, TEST_DATABASE_KIND } from "./support/database.ts";
import {
  GTIN,
  GTIN_OTHER,
  ODD_LOT,
  PARTIES,
  ReadModelWriter,
  type FixtureBatch,
  type PartyKey,
  storeFixtureManifest,
} from "./read-fixture.ts";
import { openSession, participantLedger, requestAs } from "./support/viewers.ts";
import { assertValidEpcis12 } from "../../../packages/ledger/test/epcis12Schema.ts";
import { epcis12Root, fromEpcis12, fromEpcis20, parseXml } from "../../../packages/ledger/test/epcisNeutral.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
/** The fixture's parties' GLNs are 952012000001-4 (+ check digit), under Acme's prefix 952012. */
const sgln = (party: PartyKey) => `urn:epc:id:sgln:952012.${PARTIES[party].gln.slice(6, 12)}.0`;
type Node = Record<string, unknown>;

describe(`read API: EPCIS 1.2 export of a batch (${TEST_DATABASE_KIND})`, () => {
  let database: OpenedDatabase;
  let ctx: AppContext;
  let main: FixtureBatch;
  let odd: FixtureBatch;
  const as: Partial<Record<PartyKey, (path: string) => Request>> = {};

  const path = (batch: FixtureBatch): BatchPath => ({ gtin: batch.gtin, lot: batch.lot });
  async function xmlAs(who: PartyKey, batch: FixtureBatch): Promise<{ response: Response; xml: string }> {
    const response = await readApi.batchEpcis12(ctx, as[who]!("/"), path(batch));
    const xml = await response.text();
    assert.equal(response.status, 200, xml);
    return { response, xml };
  }
  async function refused(request: Request, batch: BatchPath, status: number, code: string): Promise<void> {
    const response = await readApi.batchEpcis12(ctx, request, batch);
    const body = (await response.json()) as ApiErrorBody;
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  }

  before(async () => {
    database = await openTestDatabase();
    const ledger = {
      chainId: 31337,
      address: `0x${"0".repeat(40)}` as const,
      deploymentBlock: 0,
      rpcUrl: "http://127.0.0.1:9",
    };
    ctx = { db: database.db, database, chain: participantLedger(Object.values(PARTIES)), ledger, now: () => NOW };
    for (const who of Object.keys(PARTIES) as PartyKey[]) {
      as[who] = requestAs(await openSession(ctx, PARTIES[who].address));
    }
    const w = new ReadModelWriter(database.db);
    w.onboard("acme", "northwind", "central", "agency");
    main = w.registerBatch(GTIN, "A1", 100, 20271231);
    const s1 = w.ship(main, "acme", "northwind", 60, "DESADV-1");
    w.settle(s1, "receive");
    const s2 = w.ship(main, "northwind", "central", 20, "PO-7");
    w.settle(s2, "reject", "broken seal <&>");
    w.ship(main, "northwind", "central", 10, "PO-9");
    w.decommission(main, "central", 3, "DISPENSED");
    w.decommission(main, "central", 4, "DESTROYED");
    odd = w.registerBatch(GTIN_OTHER, ODD_LOT, 10, 20260200);
    const s3 = w.ship(odd, "acme", "central", 4, "R-1");
    w.settle(s3, "receive");
    w.recall(odd, "Contamination found in QC");
    await w.flush();
    await storeFixtureManifest(
      database.db,
      { ...main, gtin: GTIN, lot: "A1" },
      100,
      (i) => `SN${String(i).padStart(4, "0")}`,
    );
  });
  after(async () => {
    await database?.close();
  });

  it("answers application/xml with GS1-EPCIS-Version 1.2, a document GS1's 1.2 schema accepts", async () => {
    const { response, xml } = await xmlAs("agency", main);
    assert.equal(response.headers.get("content-type"), "application/xml; charset=utf-8");
    assert.equal(response.headers.get("GS1-EPCIS-Version"), "1.2");
    assert.equal(response.headers.get("GS1-CBV-Version"), "1.2");
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.equal(response.headers.get("content-disposition"), `inline; filename="epcis12-${GTIN}-A1.xml"`);
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    await assertValidEpcis12(xml, "the batch export");
    const root = epcis12Root(xml, "urn:pedigree:epcis:");
    assert.equal(root["@creationDate"], NOW.toISOString());
  });

  it("holds the same events as the 2.0 export of the batch, field by field", async () => {
    for (const batch of [main, odd]) {
      const { xml } = await xmlAs("agency", batch);
      const json = (await (await readApi.batchEpcis(ctx, as.agency!("/"), path(batch))).json()) as EpcisDocument;
      const events = fromEpcis12(xml, "urn:pedigree:epcis:");
      assert.ok(events.length >= 4);
      assert.deepEqual(events, fromEpcis20(json));
    }
  });

  it("names packs, batches and parties by EPC URN, split at the GS1 company prefix assigned on chain", async () => {
    const { xml } = await xmlAs("agency", main);
    assert.match(xml, /<epcClass>urn:epc:class:lgtin:952012\.0345678\.A1<\/epcClass>/);
    assert.match(xml, /<epc>urn:epc:id:sgtin:952012\.0345678\.SN0003<\/epc>/);
    assert.ok(xml.includes(`<source type="urn:epcglobal:cbv:sdt:owning_party">${sgln("acme")}</source>`));
    assert.ok(
      xml.includes(`<destination type="urn:epcglobal:cbv:sdt:owning_party">${sgln("northwind")}</destination>`),
    );
    assert.ok(xml.includes("<pedigree:reason>broken seal &lt;&amp;&gt;</pedigree:reason>"));
    // The lot's "/" and "%" are escaped as the Tag Data Standard says; "=" and "+" stand.
    const recalled = await xmlAs("agency", odd);
    assert.match(recalled.xml, /urn:epc:class:lgtin:952012\.0345679\.=L%2F1%25\+x</);
  });

  it("the header: the manufacturer sends to whoever asked, with the product and parties as master data, no statement", async () => {
    for (const who of ["agency", "acme", "central"] as const) {
      const header = epcis12Root((await xmlAs(who, odd)).xml, "urn:pedigree:epcis:").EPCISHeader as Node;
      const sbdh = header["sbdh:StandardBusinessDocumentHeader"] as Node;
      assert.deepEqual(sbdh["sbdh:Sender"], { "sbdh:Identifier": { "#text": sgln("acme"), "@Authority": "SGLN" } });
      assert.deepEqual(sbdh["sbdh:Receiver"], { "sbdh:Identifier": { "#text": sgln(who), "@Authority": "SGLN" } });
      assert.equal(header["gs1ushc:dscsaTransactionStatement"], undefined);
    }
    const { xml } = await xmlAs("agency", main);
    const master = parseXml(xml);
    const vocabularies = (
      ((((master["epcis:EPCISDocument"] as Node).EPCISHeader as Node).extension as Node).EPCISMasterData as Node)
        .VocabularyList as Node
    ).Vocabulary as Node[];
    const elements = (type: string) =>
      ((vocabularies.find((v) => v["@type"] === type)?.VocabularyElementList as Node).VocabularyElement as Node[]).map(
        (element) => [
          element["@id"],
          Object.fromEntries((element.attribute as Node[]).map((a) => [a["@id"], a["#text"]])),
        ],
      );
    assert.deepEqual(elements("urn:epcglobal:epcis:vtype:EPCClass"), [
      [
        "urn:epc:idpat:sgtin:952012.0345678.*",
        {
          "urn:epcglobal:cbv:mda#regulatedProductName": "Amoxicillin",
          "urn:epcglobal:cbv:mda#strengthDescription": "500 mg",
          "urn:epcglobal:cbv:mda#dosageFormType": "capsule",
          "urn:epcglobal:cbv:mda#manufacturerOfTradeItemPartyName": "Acme Pharma",
        },
      ],
    ]);
    assert.deepEqual(
      elements("urn:epcglobal:epcis:vtype:Location").sort(),
      (["acme", "northwind", "central"] as const).map((p) => [
        sgln(p),
        { "urn:epcglobal:cbv:mda#name": PARTIES[p].legalName },
      ]),
    );
  });

  it("follows the 2.0 export's access rules: signed in first, then the batch's parties and regulators only", async () => {
    await refused(new Request("http://localhost/"), path(main), 401, "NOT_SIGNED_IN");
    // Northwind never traded the odd batch (Acme shipped it straight to Central).
    await refused(as.northwind!("/"), path(odd), 403, "NOT_YOUR_RECORD");
    const epcis20 = await readApi.batchEpcis(ctx, as.northwind!("/"), path(odd));
    assert.equal(epcis20.status, 403, "the 2.0 export refuses the same party");
    await refused(as.agency!("/"), { gtin: GTIN, lot: "NOPE" }, 404, "BATCH_NOT_FOUND");
    await refused(as.agency!("/"), { gtin: "123", lot: "A1" }, 400, "INVALID_GTIN");
    await refused(as.agency!("/?format=json"), path(main), 400, "INVALID_QUERY");
    // A stranger with a valid session but no participant record learns nothing of the batch.
    const stranger = requestAs(await openSession(ctx, `0x${"e".repeat(40)}`));
    const response = await readApi.batchEpcis12(ctx, stranger("/"), { gtin: GTIN, lot: "NOPE" });
    assert.equal(response.status, 403);
  });
});
