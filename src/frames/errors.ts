/** Why a frames operation failed; stable codes for callers and logs. */
export type FramesErrorCode =
  | 'MISSING_TABLE'
  | 'HEADER_MISMATCH'
  | 'LOAD_FAILED'
  | 'INVALID_SPEC'
  | 'NOT_NUMERIC'
  | 'DUPLICATE_ID'
  | 'CLOSED';

/**
 * A fatal problem loading or shaping tables for training (STYLE.md convention 5: a fatal
 * problem stops the batch with a typed error). Messages name files and columns, never values,
 * so no member data leaks into logs.
 */
export class FramesError extends Error {
  constructor(readonly code: FramesErrorCode, message: string) {
    super(message);
    this.name = 'FramesError';
  }
}
