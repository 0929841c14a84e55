/** eCQM measures CMS122 and CMS165 over contract records. */
export * from './common.ts';
export * from './cms122.ts';
export * from './cms165.ts';
export type { PatientRecords, ValueSetLookup } from './patient-records.ts';
