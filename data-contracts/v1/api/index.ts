/** Generic HTTP API contracts (error body, pagination) shared by every v1 route. */
export * from './errors.ts';
export * from './pagination.ts';
export * from './scoring.ts';
export * from './settlement.ts';
