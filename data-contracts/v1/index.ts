/** Stratum data contracts v1: the single source of truth for record shapes. */
export * from './codes.ts';
export * from './common.ts';
export * from './entities.ts';
export * from './validate.ts';
export * from './observation-catalog.ts';
export * from './json-schema.ts';
export * from './columns.ts';
