/** The part of digital-link.js (CommonJS, untyped) that the cross-check tests use. */
declare module "digital-link.js" {
  interface DigitalLinkInstance {
    isValid(): boolean;
    isCheckDigitValid(): boolean;
    getDomain(): string;
    getIdentifier(): Record<string, string>;
    getKeyQualifiers(): Record<string, string>;
    getAttributes(): Record<string, string>;
    getValidationTrace(): { success: boolean };
  }
  const digitalLinkJs: {
    DigitalLink(input: string): DigitalLinkInstance;
  };
  export default digitalLinkJs;
}
