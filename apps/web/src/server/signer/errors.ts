/**
 * Why the server's signer could not start: each one message that says what is wrong and what to
 * do, printed at start (the server does not run with a key it was told to use and cannot).
 */
export type SignerStartErrorCode =
  | "KEYSTORE_MISSING"
  | "KEYSTORE_UNREADABLE"
  | "KEYSTORE_INVALID"
  | "KEYSTORE_EXISTS"
  | "KEYSTORE_UNWRITABLE"
  | "WRONG_PASSPHRASE"
  | "WEAK_PASSPHRASE"
  | "PASSPHRASE_MISSING"
  | "PASSPHRASE_AMBIGUOUS"
  | "PASSPHRASE_FILE_MISSING"
  | "PASSPHRASE_FILE_UNREADABLE"
  | "INVALID_PRIVATE_KEY"
  | "SIGNER_CONFIG"
  | "SIGNER_UNREACHABLE"
  | "SIGNER_REFUSED"
  | "SIGNER_WITHOUT_KEY"
  | "DUPLICATE_KEY";

export class SignerStartError extends Error {
  override readonly name = "SignerStartError";
  readonly code: SignerStartErrorCode;
  constructor(code: SignerStartErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
  }
}
