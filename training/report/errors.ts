/** Typed errors of the training report. */

export type ReportErrorCode = 'LENGTH_MISMATCH' | 'INVALID_ARGUMENT' | 'SINGLE_CLASS';

/** Thrown when the report's input is inconsistent (lengths differ, a class is missing, ...). */
export class ReportError extends Error {
  readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, message: string) {
    super(message);
    this.name = 'ReportError';
    this.code = code;
  }
}
