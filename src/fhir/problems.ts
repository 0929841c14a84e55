/** A per-resource import problem, returned beside the result (fqm-execution's habit) instead of thrown. */
export interface ImportProblem {
  /** error: the resource was not imported; warning: imported, but something was lost or assumed. */
  severity: 'error' | 'warning';
  /** Stable machine code, e.g. `encounter-no-known-type`. */
  code: string;
  resourceType: string;
  resourceId: string | null;
  patientId: string | null;
  message: string;
}
