/**
 * A receiving clerk and a shipping clerk on the package-level ledger, in the browser. Acme packed
 * 20 packs of a batch into four cases of five, stacked two of them on a pallet, and shipped the
 * pallet and the two other cases to Northwind (ASN-PKG-1).
 *
 * - Northwind's inbox lists the shipment by batch (20 packs) and its three items in transit.
 * - Scanning the pallet's SSCC label receives the pallet, with both cases on it, in one step; the
 *   stock page then lists the pallet with its two cases and ten packs. A label that is in no
 *   shipment on its way says so, and receives nothing.
 * - "Receive part…" receives one case and refuses the other with a reason; Acme's page shows the
 *   refused case back in its stock.
 * - Northwind ships the pallet on to Central by scanning its label; the pallet is in transit and
 *   Central's inbox lists it.
 * - Northwind records a pack inside the case it kept as destroyed (the write names the case); a
 *   pack it shipped on is "not in your stock".
 * - Northwind picks a pack out of that case into a new tote, and takes another out loose; it
 *   quarantines the tote and clears it, and quarantines the loose pack and finds it illegitimate
 *   (destroyed: it leaves the stock, and an alert on its alerts list names the pack).
 * - A regulator quarantines the batch from its page: Central's counter refuses its packs; once
 *   cleared they may be dispensed again.
 * - A regulator quarantines Northwind's tote from its desk; Northwind cannot end it, the regulator
 *   clears it.
 * - Central receives the pallet by its label; at the counter a pack from a case on it is dispensed
 *   (the dispense names the case it is in), and a pack of the refused case is "not in your stock".
 *
 * Screenshots go to test-results/screenshots/ (package-*.png).
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import type { Page } from "playwright-core";
import type { Browser } from "playwright-core";
import { gs1CheckDigit, toHri } from "@pedigree/gs1";
import { packageLedgerAbi } from "@pedigree/ledger";
import { stringToHex } from "viem";
import { COMPANY_PREFIXES, type WorldBatch, type WorldParty } from "../test/support/world.ts";
import { launchBrowser } from "./support/browser.ts";
import { lookAt, selectOptionContaining } from "./support/roles-world.ts";
import { story } from "./support/story.ts";
import { startStack, type SeedContext, type Stack } from "./support/stack.ts";

const sscc = (serial: number) => {
  const body = "0" + COMPANY_PREFIXES.acme + String(serial).padStart(16 - COMPANY_PREFIXES.acme.length, "0");
  return body + String(gs1CheckDigit(body));
};
const PALLET = sscc(500);
const CASES = [sscc(501), sscc(502), sscc(503), sscc(504)] as const;
/** Northwind's tote: a distributor labels with any valid SSCC. */
const TOTE = (() => {
  const body = "3" + "0952999" + "000000601";
  return body + String(gs1CheckDigit(body));
})();

/** A pack's printed text, as a person types it. */
function packCode(batch: WorldBatch, index: number): string {
  return toHri({
    gtin: batch.gtin,
    lot: batch.lot,
    serial: batch.manifest.serials[index]!,
    expiry: { raw: String(batch.expiry).slice(2), date: "" },
  });
}

interface PackageWorld {
  batch: WorldBatch;
}

async function seed({ world, chain }: SeedContext): Promise<PackageWorld> {
  const { acme, northwind } = world.parties;
  const write = async (from: WorldParty, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallet(from.account).writeContract({
      address: chain.address,
      abi: packageLedgerAbi,
      functionName,
      args,
      account: from.account,
      chain: chain.viemChain,
    } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `${functionName} by ${from.legalName}`);
  };
  const product = await world.registerProduct(acme, { name: "Paracetamol", strength: "500 mg", dosageForm: "tablet" });
  const batch = await world.registerBatch(acme, product, { lot: "PKG-E1", packs: 20 });
  const prefix = BigInt(COMPANY_PREFIXES.acme.length);
  for (const unit of CASES) await write(acme, "packRange", [BigInt(unit), prefix, batch.batchId, 5n]);
  await write(acme, "aggregate", [BigInt(PALLET), prefix, { units: [BigInt(CASES[0]), BigInt(CASES[1])], packs: [] }]);
  await write(acme, "ship", [
    northwind.address,
    stringToHex("ASN-PKG-1", { size: 32 }),
    { units: [BigInt(PALLET), BigInt(CASES[2]), BigInt(CASES[3])], packs: [] },
  ]);
  return { batch };
}

let stack: Stack<PackageWorld>;
let browser: Browser;

const parties = story("package", () => ({ browser, baseUrl: stack.baseUrl, rpcUrl: stack.chain.rpcUrl }));
const { pageErrors, partyPage, step } = parties;

before(async () => {
  stack = await startStack(seed, { ledger: "package" });
  browser = await launchBrowser();
});

after(async () => {
  await parties.close();
  await browser?.close();
  await stack?.stop();
});

const accountOf = (party: WorldParty) => stack.chain.accounts.findIndex((a) => a.address === party.address);

/** Types a label's bracketed text into a scanner field and submits it, as a scanner would. */
async function scan(page: Page, field: string, text: string) {
  await page.getByLabel(field, { exact: true }).fill(text);
  await page.getByLabel(field, { exact: true }).press("Enter");
}

describe("receiving a pallet by one scan, a partial receipt, shipping by scan (package-level ledger)", () => {
  let northwind: Page;

  step("the inbox lists the shipment by batch and its three items in transit", async () => {
    northwind = await partyPage(accountOf(stack.world.parties.northwind), "DISTRIBUTOR");
    await northwind.goto("/stock");
    const card = northwind.getByTestId("incoming-shipments").locator("li[data-shipment-id]");
    await card.first().waitFor({ timeout: 30_000 });
    assert.match(await card.first().innerText(), /20 units of Paracetamol, lot PKG-E1/);
    const items = card.first().getByTestId("shipment-items");
    await items.locator("summary").click();
    assert.match(await items.innerText(), /3 items in transit/);
    for (const unit of [PALLET, CASES[2], CASES[3]]) assert.match(await items.innerText(), new RegExp(unit));
    await lookAt(northwind, "package-inbox", "A clerk's inbox on the package-level ledger");
  });

  step("scanning the pallet's label receives it with both cases; an unknown label receives nothing", async () => {
    const field = "Pallet, case or pack label";
    await scan(northwind, field, `(00)${sscc(599)}`);
    const result = northwind.getByTestId("receive-by-scan-result");
    await result.waitFor({ timeout: 20_000 });
    assert.match(await result.innerText(), /is not in any shipment on its way to you/);

    await scan(northwind, field, `(00)${PALLET}`);
    await northwind.getByTestId("receive-by-scan-result").getByText("Received Unit").waitFor({ timeout: 60_000 });
    assert.match(await result.innerText(), new RegExp(`Received Unit ${PALLET} · 10 packs from`));
    assert.equal(
      await northwind.getByLabel(field, { exact: true }).evaluate((el) => el === document.activeElement),
      true,
      "the field keeps the focus for the next label",
    );
    const held = northwind.getByTestId("held-units").locator(`li[data-sscc="${PALLET}"]`);
    await held.waitFor({ timeout: 30_000 });
    assert.match(await held.innerText(), /2 units inside · 10 packs: Paracetamol lot PKG-E1 \(10\)/);
    await lookAt(northwind, "package-received-pallet", "The pallet received by one scan");
  });

  step("'Receive part…' receives one case and refuses the other, with the reason; the sender has it back", async () => {
    const card = northwind.getByTestId("incoming-shipments").locator("li[data-shipment-id]").first();
    await card.getByTestId("receive-part").click();
    const dialog = northwind.getByRole("dialog");
    await dialog.getByRole("checkbox").nth(1).uncheck();
    await dialog.getByRole("button", { name: "Receive 1, refuse 1" }).click();
    assert.match(await dialog.innerText(), /Say why the unticked items are refused/);
    await dialog.getByLabel("Why the unticked items are refused").fill("Crushed case");
    await dialog.getByRole("button", { name: "Receive 1, refuse 1" }).click();
    await northwind.getByTestId("incoming-shipments").waitFor({ state: "detached", timeout: 60_000 });
    await northwind.getByTestId("held-units").locator(`li[data-sscc="${CASES[2]}"]`).waitFor({ timeout: 30_000 });

    const acme = await partyPage(accountOf(stack.world.parties.acme), "MANUFACTURER");
    await acme.goto("/stock");
    await acme.getByTestId("held-units").locator(`li[data-sscc="${CASES[3]}"]`).waitFor({ timeout: 30_000 });
    await lookAt(acme, "package-refused-case", "The refused case back with its sender");
  });

  step("shipping the pallet on by scanning its label puts it in transit to Central", async () => {
    const form = northwind.getByRole("form", { name: "Ship stock" });
    await selectOptionContaining(form.getByLabel("Ship to"), stack.world.parties.central.legalName);
    await form.getByLabel("Reference").fill("ASN-PKG-2");
    const field = "Scan what goes: pallet, case or tote labels, loose packs";
    await form.getByLabel(field, { exact: true }).fill(`(00)${sscc(599)}`);
    await form.getByLabel(field, { exact: true }).press("Enter");
    await form.getByTestId("ship-items-problem").waitFor();
    await form.getByLabel(field, { exact: true }).fill(`(00)${PALLET}`);
    await form.getByLabel(field, { exact: true }).press("Enter");
    await form.getByTestId("ship-items").getByText(`Unit ${PALLET}`).waitFor();
    await form.getByRole("button", { name: "Ship", exact: true }).click();
    await form.getByText("Shipped: the units and packs are in transit.").waitFor({ timeout: 60_000 });
    const outgoing = northwind.getByTestId("outgoing-shipments");
    await outgoing.getByText("ref. ASN-PKG-2").waitFor({ timeout: 30_000 });

    const central = await partyPage(accountOf(stack.world.parties.central), "PHARMACY");
    await central.goto("/stock");
    await central.getByTestId("incoming-shipments").getByText("ref. ASN-PKG-2").waitFor({ timeout: 30_000 });
    await lookAt(central, "package-central-inbox", "The pallet on its way to Central");
  });

  step(
    "at Central's counter a pack from a case on the received pallet is dispensed; one it does not hold is not in its stock",
    async () => {
      const { batch } = stack.fixtures;
      const central = await partyPage(accountOf(stack.world.parties.central), "PHARMACY");
      await central.goto("/stock");
      await scan(central, "Pallet, case or pack label", `(00)${PALLET}`);
      await central.getByTestId("receive-by-scan-result").getByText("Received Unit").waitFor({ timeout: 60_000 });

      await central.goto("/counter");
      // Pack 6 is in the second case on the pallet.
      await scan(central, "Pack code", packCode(batch, 6));
      const check = central.getByTestId("pack-check");
      await check.getByTestId("verdict").filter({ hasText: batch.manifest.serials[6]! }).waitFor({ timeout: 60_000 });
      await check.getByTestId("dispense-button").click();
      await check.getByText("Dispensed and recorded on the ledger").waitFor({ timeout: 60_000 });
      await check.getByTestId("undo-dispense-button").waitFor({ timeout: 20_000 });
      await lookAt(central, "package-counter-dispensed", "A pack from a case on a pallet dispensed");

      // Pack 17 is in the case Northwind refused: it is back with Acme.
      await scan(central, "Pack code", packCode(batch, 17));
      const other = central.getByTestId("pack-check");
      await other.getByTestId("verdict").filter({ hasText: batch.manifest.serials[17]! }).waitFor({ timeout: 60_000 });
      assert.match(await other.innerText(), /not in your pharmacy's stock/);
      assert.equal(await other.getByTestId("dispense-button").count(), 0);
    },
  );

  step(
    "Northwind records a pack inside a case it holds as destroyed; one it shipped on is not in its stock",
    async () => {
      const { batch } = stack.fixtures;
      await northwind.goto("/stock");
      const losses = northwind.locator("#losses");
      const lookUp = async (index: number) => {
        await losses.getByLabel("Code of the pack", { exact: true }).fill(packCode(batch, index));
        await losses.getByRole("button", { name: "Look up", exact: true }).click();
        const check = losses.getByTestId("loss-check");
        await check.and(northwind.locator(":not([data-state=checking])")).waitFor({ timeout: 20_000 });
        return check;
      };
      // Pack 2 went on with the pallet to Central.
      assert.match(await (await lookUp(2)).innerText(), /Not in your stock/);
      // Pack 11 is in the case Northwind kept.
      const check = await lookUp(11);
      await check.getByTestId("record-loss").click();
      await northwind.getByRole("dialog").getByRole("button", { name: "Record as destroyed", exact: true }).click();
      await losses.locator("[data-testid=loss-check][data-state=recorded]").waitFor({ timeout: 60_000 });
      await northwind
        .getByTestId("held-units")
        .locator(`li[data-sscc="${CASES[2]}"]`)
        .getByText("4 packs")
        .waitFor({ timeout: 30_000 });
    },
  );

  step("Northwind picks a pack out of its case into a new tote, and takes another out loose", async () => {
    const { batch } = stack.fixtures;
    const form = northwind.getByRole("form", { name: "Pack and unpack" });
    // A label misread by one digit is caught before anything is sent.
    await form.getByLabel("SSCC of the new unit").fill(`(00)${TOTE.slice(0, 17)}${(Number(TOTE[17]) + 1) % 10}`);
    await form.getByRole("button", { name: "Pack the unit" }).click();
    await form.getByText("does not check: read the label again").waitFor();
    await form.getByLabel("SSCC of the new unit").fill(`(00)${TOTE}`);
    await scan(northwind, "Scan what goes in", packCode(batch, 12));
    await form.getByTestId("pack-items").getByText(`in unit ${CASES[2]}`).waitFor({ timeout: 20_000 });
    await form.getByRole("button", { name: "Pack the unit" }).click();
    await form.getByText("Packed: the unit is in your stock").waitFor({ timeout: 60_000 });
    const units = northwind.getByTestId("held-units");
    await units.locator(`li[data-sscc="${TOTE}"]`).getByText("1 pack").waitFor({ timeout: 30_000 });
    await units.locator(`li[data-sscc="${CASES[2]}"]`).getByText("3 packs").waitFor({ timeout: 30_000 });

    await form.getByLabel("Take out of a unit").check();
    await form.getByLabel("SSCC of the unit to open").fill(CASES[2]);
    await scan(northwind, "Scan what comes out", packCode(batch, 13));
    await form.getByTestId("pack-items").getByText(`SN ${batch.manifest.serials[13]!}`).waitFor({ timeout: 20_000 });
    await form.getByRole("button", { name: "Take out" }).click();
    await form.getByText("Taken out: they are loose in your stock.").waitFor({ timeout: 60_000 });
    await northwind.getByTestId("loose-packs").getByText("lot PKG-E1 (1)").waitFor({ timeout: 30_000 });
    await lookAt(northwind, "package-packed", "A tote picked and a pack taken out");
  });

  step("Northwind quarantines the tote and clears it; a loose pack found illegitimate is destroyed", async () => {
    const { batch } = stack.fixtures;
    const form = northwind.getByRole("form", { name: "Quarantine" });
    const units = northwind.getByTestId("held-units");
    await scan(northwind, "Scan what is suspect", `(00)${TOTE}`);
    await form.getByTestId("quarantine-items").getByText(`Unit ${TOTE}`).waitFor();
    await form.getByLabel("Why it is suspect").fill("Seal broken");
    await form.getByRole("button", { name: "Quarantine", exact: true }).click();
    await form.getByText("Quarantined: it can neither move nor be dispensed").waitFor({ timeout: 60_000 });
    await units.locator(`li[data-sscc="${TOTE}"]`).getByText("Quarantined").waitFor({ timeout: 30_000 });

    await form.getByLabel("End a quarantine").check();
    await scan(northwind, "Scan what was investigated", `(00)${TOTE}`);
    await form.getByTestId("quarantine-items").getByText(`Unit ${TOTE}`).waitFor();
    await form.getByLabel("What the investigation found").fill("Resealed by the manufacturer's QA");
    await form.getByRole("button", { name: "Clear and release" }).click();
    await form.getByText("Cleared: back in your stock.").waitFor({ timeout: 60_000 });
    await units
      .locator(`li[data-sscc="${TOTE}"]`)
      .getByText("Quarantined")
      .waitFor({ state: "detached", timeout: 30_000 });

    // The loose pack taken out of the case: quarantined, then found illegitimate.
    const loose = packCode(batch, 13);
    await form.getByLabel("Quarantine suspect product").check();
    await scan(northwind, "Scan what is suspect", loose);
    await form
      .getByTestId("quarantine-items")
      .getByText(`SN ${batch.manifest.serials[13]!}`)
      .waitFor({ timeout: 20_000 });
    await form.getByLabel("Why it is suspect").fill("Misprinted label");
    await form.getByRole("button", { name: "Quarantine", exact: true }).click();
    await form.getByText("Quarantined: it can neither move nor be dispensed").waitFor({ timeout: 60_000 });
    await form.getByLabel("End a quarantine").check();
    await scan(northwind, "Scan what was investigated", loose);
    await form
      .getByTestId("quarantine-items")
      .getByText(`SN ${batch.manifest.serials[13]!}`)
      .waitFor({ timeout: 20_000 });
    await form.getByLabel("Outcome").selectOption("ILLEGITIMATE");
    await form.getByLabel("What the investigation found").fill("Falsified");
    await form.getByRole("button", { name: "Destroy as illegitimate" }).click();
    await form.getByText("Destroyed as illegitimate").waitFor({ timeout: 60_000 });
    await northwind.getByTestId("loose-packs").waitFor({ state: "detached", timeout: 30_000 });
    await lookAt(northwind, "package-quarantine", "Quarantine on the stock page");

    // The finding raised an alert naming the pack, on Northwind's alerts list.
    await northwind.goto("/alerts");
    const row = northwind.locator("tr[data-alert-id]").filter({ hasText: "Found illegitimate" });
    await row.waitFor({ timeout: 60_000 });
    await row.getByRole("button", { name: /Details of alert/ }).click();
    const dialog = northwind.getByRole("dialog");
    await dialog.getByTestId("alert-packs").getByText(batch.manifest.serials[13]!).waitFor({ timeout: 20_000 });
    await dialog.getByText(/Found illegitimate by Northwind Wholesale and destroyed: 1 pack/).waitFor();
    await lookAt(northwind, "package-illegitimate-alert", "The alert an illegitimate finding raises");
    await northwind.keyboard.press("Escape");
    await northwind.goto("/stock");
  });

  step(
    "a regulator quarantines the batch: Central's counter refuses its packs; cleared, they may be dispensed again",
    async () => {
      const { batch } = stack.fixtures;
      const regulator = await partyPage(accountOf(stack.world.parties.regulator), "REGULATOR");
      await regulator.goto(`/auditor/batches/${batch.gtin}/${batch.lot}`);
      await regulator.getByTestId("quarantine-batch-button").click();
      const dialog = regulator.getByRole("dialog", { name: `Quarantine lot ${batch.lot}` });
      await dialog.getByLabel("Reason").fill("Counterfeits of this lot seized at the border");
      await dialog.getByRole("button", { name: "Quarantine the batch" }).click();
      const buttons = regulator.getByTestId("batch-quarantine");
      await buttons.getByText("Batch quarantined").waitFor({ timeout: 60_000 });
      await regulator.getByTestId("end-batch-quarantine-cleared").waitFor({ timeout: 30_000 });
      await lookAt(regulator, "package-batch-quarantined", "A batch quarantined by a regulator");

      const central = await partyPage(accountOf(stack.world.parties.central), "PHARMACY");
      await central.goto("/counter");
      const code = packCode(batch, 7);
      await scan(central, "Pack code", code);
      const check = central.getByTestId("pack-check");
      await check.getByTestId("verdict").filter({ hasText: batch.manifest.serials[7]! }).waitFor({ timeout: 60_000 });
      assert.equal(await check.getAttribute("data-chain-verdict"), "Quarantined");
      assert.equal(await check.getByTestId("dispense-button").count(), 0);

      await regulator.getByTestId("end-batch-quarantine-cleared").click();
      const clear = regulator.getByRole("dialog", { name: `Clear lot ${batch.lot}` });
      await clear.getByLabel("Reason").fill("The seized packs were of another lot");
      await clear.getByRole("button", { name: "Clear the batch" }).click();
      await regulator.getByTestId("batch-quarantine").getByText("Batch cleared").waitFor({ timeout: 60_000 });
      await regulator.getByTestId("quarantine-batch-button").waitFor({ timeout: 30_000 });

      await scan(central, "Pack code", code);
      await central.getByTestId("pack-check").getByTestId("dispense-button").waitFor({ timeout: 60_000 });
    },
  );

  step("a regulator quarantines Northwind's tote from its desk; only a regulator ends it", async () => {
    const regulator = await partyPage(accountOf(stack.world.parties.regulator), "REGULATOR");
    await regulator.goto("/auditor");
    const desk = regulator.getByRole("form", { name: "Quarantine" });
    await scan(regulator, "Scan what is suspect", `(00)${TOTE}`);
    await desk.getByTestId("quarantine-items").getByText(`Unit ${TOTE}`).waitFor();
    await desk.getByLabel("Why it is suspect").fill("Reported by the wholesaler's customer");
    await desk.getByRole("button", { name: "Quarantine", exact: true }).click();
    await desk.getByText("Quarantined: it can neither move nor be dispensed").waitFor({ timeout: 60_000 });

    await northwind.goto("/stock");
    const units = northwind.getByTestId("held-units");
    await units.locator(`li[data-sscc="${TOTE}"]`).getByText("Quarantined").waitFor({ timeout: 30_000 });
    const form = northwind.getByRole("form", { name: "Quarantine" });
    await form.getByLabel("End a quarantine").check();
    await scan(northwind, "Scan what was investigated", `(00)${TOTE}`);
    await form.getByTestId("quarantine-items").getByText(`Unit ${TOTE}`).waitFor();
    await form.getByLabel("What the investigation found").fill("Looks fine to us");
    await form.getByRole("button", { name: "Clear and release" }).click();
    await form
      .getByTestId("tx-status")
      .getByText(/regulator/i)
      .waitFor({ timeout: 30_000 });

    await desk.getByLabel("End a quarantine").check();
    await scan(regulator, "Scan what was investigated", `(00)${TOTE}`);
    await desk.getByLabel("What the investigation found").fill("Genuine: the customer misread the label");
    await desk.getByRole("button", { name: "Clear and release" }).click();
    await desk.getByText("Cleared: back in its holder's stock.").waitFor({ timeout: 60_000 });
    await units
      .locator(`li[data-sscc="${TOTE}"]`)
      .getByText("Quarantined")
      .waitFor({ state: "detached", timeout: 30_000 });
  });

  step("no page error on the way", async () => {
    assert.deepEqual(pageErrors, []);
  });
});
