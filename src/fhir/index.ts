/** FHIR R4 import: bundles -> contract records per patient; ValueSet bundles -> OID lookup. */
export { importBundles, toUtcInstant } from './bundle-import.ts';
export type { BundleImportResult, ImportOptions } from './bundle-import.ts';
export { loadValueSets } from './valuesets.ts';
export type { LoadedValueSets } from './valuesets.ts';
export { codeSystemForUri, conceptKey } from './code-systems.ts';
export type { ImportProblem } from './problems.ts';
export { FhirImportError, NotABundleError } from './errors.ts';
