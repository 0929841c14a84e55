/** Typed errors of the dataset adapters (the I/O edge that reads /work/shared/data-style folders). */

export type DatasetErrorCode = 'DATA_MISSING' | 'BAD_ARCHIVE' | 'BAD_CSV' | 'UNKNOWN_DATASET';

export class DatasetError extends Error {
  readonly code: DatasetErrorCode;
  constructor(code: DatasetErrorCode, message: string) {
    super(message);
    this.name = 'DatasetError';
    this.code = code;
  }
}
