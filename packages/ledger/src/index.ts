export { pedigreeLedgerAbi } from "./generated/pedigreeLedgerAbi.ts";
export { packageLedgerAbi } from "./generated/packageLedgerAbi.ts";
export { packageLensAbi } from "./generated/packageLensAbi.ts";
export { deployments, type LedgerDeployment } from "./generated/deployments.ts";
export {
  SerialTree,
  hashInnerNodes,
  nodeBytesFor,
  packProofFlags,
  placeLeaves,
  serialLeafHash,
  serialLeafHashes,
  type Hex,
} from "./manifest/serialTree.ts";
export type { Address, Party } from "./types.ts";

export {
  parseSerialList,
  checkSerial,
  MAX_SERIAL_LENGTH,
  MAX_REPORTED_SERIAL_ERRORS,
  type SerialErrorCode,
  type SerialListError,
  type SerialListResult,
} from "./manifest/serialList.ts";
export { buildManifest, type SerialManifest, type PackProof } from "./manifest/manifest.ts";
export {
  generateSerials,
  serialGuessProbability,
  minimumSerialLength,
  SerialGenerationError,
  SERIAL_ALPHABET,
  DEFAULT_SERIAL_LENGTH,
  MAX_GUESS_PROBABILITY,
  MIN_SEED_BYTES,
  MAX_SERIAL_COUNT,
  type GenerateSerialsOptions,
  type SerialGenerationErrorCode,
} from "./manifest/generate.ts";

export {
  ROLES,
  BATCH_STATUSES,
  PLACE_KINDS,
  AGGREGATIONS,
  QUARANTINE_OUTCOMES,
  placeKindName,
  aggregationName,
  quarantineOutcomeName,
  type PlaceKindName,
  type AggregationName,
  type QuarantineOutcomeName,
  PACK_STATES,
  CONTRACT_VERDICTS,
  roleName,
  batchStatusName,
  packStateName,
  contractVerdictName,
  roleNumber,
  batchStatusNumber,
  packStateNumber,
  type RoleName,
  type BatchStatusName,
  type PackStateName,
  type ContractVerdictName,
} from "./enums.ts";
export { isoDateFromYyyymmdd, yyyymmddFromIsoDate, yyyymmddFromGs1Expiry } from "./dates.ts";

export {
  decideVerdict,
  verdictFromContract,
  VERDICTS,
  VERDICT_OF_CONTRACT_VERDICT,
  type Verdict,
  type VerdictInput,
  type VerdictResult,
  type VerdictFacts,
  type ChainReading,
  type ChainProduct,
  type ChainBatch,
  type ChainPack,
  type ManifestReading,
} from "./verdict.ts";

export {
  ledgerEventFromLog,
  shipmentRefText,
  LEDGER_EVENT_NAMES,
  type LedgerEvent,
  type LedgerEventName,
  type LedgerEventBase,
  type LedgerLogContext,
  type DecodedLedgerLog,
  type BatchRef,
  type BatchRegisteredEvent,
  type UnitsShippedEvent,
  type UnitsReceivedEvent,
  type UnitsRejectedEvent,
  type ShipmentCancelledEvent,
  type PackDecommissionedEvent,
  type PackReactivatedEvent,
  type BatchRecalledEvent,
  type BatchSuspendedEvent,
  type BatchReinstatedEvent,
} from "./events.ts";
export {
  toEpcisDocument,
  toEpcisEvent,
  epcisEventId,
  uuidV5,
  partyUri,
  EPCIS_CONTEXT,
  PEDIGREE_EPCIS_NAMESPACE,
  EPCIS_EVENT_ID_NAMESPACE,
  PACK_STATE_EPCIS,
  type EpcisDocument,
  type EpcisDocumentOptions,
  type EpcisObjectEvent,
} from "./epcis.ts";
export {
  toEpcis12Document,
  epcUriOf,
  sgtinUrn,
  lgtinUrn,
  sglnUrn,
  productPatternUrn,
  CompanyPrefixes,
  Epcis12Error,
  EPCIS_1_2_NAMESPACE,
  SBDH_NAMESPACE,
  GS1US_HEALTHCARE_NAMESPACE,
  CBV_MDA_NAMESPACE,
  DSCSA_LEGAL_NOTICE,
  type Epcis12DocumentOptions,
  type Epcis12Header,
  type Epcis12Product,
  type Epcis12ErrorCode,
} from "./epcis12.ts";

export {
  ledgerAddress,
  ledgerDeployment,
  batchIdOf,
  gtinToUint64,
  gtinFromUint64,
  glnFromUint64,
  readPackVerification,
  type LedgerReader,
  type PackVerification,
  type PackVerificationQuery,
} from "./client.ts";

export {
  explainLedgerError,
  decodeLedgerError,
  type LedgerErrorLookup,
  type LedgerErrorExplanation,
  type LedgerErrorName,
  type DecodedLedgerError,
  type ErrorPartyInfo,
  type ErrorBatchInfo,
} from "./errors.ts";

export {
  createLedgerWriter,
  LedgerWriteError,
  shipmentRefOf,
  type LedgerWriter,
  type LedgerWriterOptions,
  type BatchKey,
  type ShipmentLine,
  type ShipmentLineInput,
  type WriteReceipt,
  type ShipReceipt,
} from "./writer.ts";
