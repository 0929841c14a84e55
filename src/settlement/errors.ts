/** A settlement input or configuration that cannot be settled; `code` says which rule refused it. */
export class SettlementError extends Error {
  constructor(
    readonly code:
      | 'MEMBER_INPUT_INVALID'
      | 'BANDS_NOT_EXHAUSTIVE'
      | 'SAFE_INTEGER_EXCEEDED'
      | 'DUPLICATE_INSTITUTION'
      | 'CANONICAL_JSON_UNSUPPORTED',
    message: string,
  ) {
    super(message);
    this.name = 'SettlementError';
  }
}
