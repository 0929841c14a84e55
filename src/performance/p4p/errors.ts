/** A P4P input or request that cannot be scored or issued; `code` says which rule refused it. */
export class P4PError extends Error {
  constructor(
    readonly code: 'INDICATOR_INPUT_INVALID' | 'INSTITUTION_INPUT_INVALID' | 'DUPLICATE_INSTITUTION' | 'DATE_INVALID' | 'APPEAL_LATE' | 'APPEAL_NOT_ACCEPTED' | 'RATIONAL_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'P4PError';
  }
}
