/** Typed errors of the FHIR importer. Per-resource problems are NOT errors: they are returned beside the result. */

/** Base class: every fatal FHIR import failure carries a stable code. */
export class FhirImportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is not a FHIR Bundle at all (wrong resourceType, no entry array): nothing can be imported. */
export class NotABundleError extends FhirImportError {
  constructor(what: string, detail: string) {
    super('FHIR_NOT_A_BUNDLE', `${what}: ${detail}`);
  }
}
