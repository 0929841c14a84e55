/**
 * Load a FHIR Bundle of ValueSet expansions (VSAC style, as published with the eCQM test decks)
 * into a lookup OID -> Set of `system|code`, with code systems mapped to contract names. Codes in
 * systems Stratum has no name for (e.g. ICD-10-PCS) cannot match any contract record; they are
 * counted per value set, not silently lost.
 */
import type { ValueSetLookup } from '../performance/measures/patient-records.ts';
import { codeSystemForUri, conceptKey } from './code-systems.ts';
import { NotABundleError } from './errors.ts';
import type { ImportProblem } from './problems.ts';

interface ExpansionEntry {
  system?: string;
  code?: string;
  contains?: ExpansionEntry[];
}

interface ValueSetResource {
  resourceType?: string;
  id?: string;
  url?: string;
  expansion?: { contains?: ExpansionEntry[] };
  compose?: { include?: { system?: string; concept?: { code?: string }[] }[] };
}

export interface LoadedValueSets {
  valueSets: ValueSetLookup;
  problems: ImportProblem[];
}

/** The OID of a ValueSet: the last path segment of its canonical url, else its id without a version suffix. */
function oidOf(vs: ValueSetResource): string | null {
  if (vs.url) return vs.url.slice(vs.url.lastIndexOf('/') + 1);
  if (vs.id) return vs.id.replace(/-\d{8}$/, '');
  return null;
}

/** Parse a ValueSet Bundle (already JSON-parsed). Throws only when the input is not a Bundle. */
export function loadValueSets(bundle: unknown): LoadedValueSets {
  const b = bundle as { resourceType?: string; entry?: { resource?: ValueSetResource }[] } | null;
  if (!b || b.resourceType !== 'Bundle' || !Array.isArray(b.entry)) throw new NotABundleError('value sets', 'expected a FHIR Bundle with an entry array');
  const out = new Map<string, Set<string>>();
  const problems: ImportProblem[] = [];
  for (const entry of b.entry) {
    const vs = entry.resource;
    if (!vs || vs.resourceType !== 'ValueSet') continue;
    const oid = oidOf(vs);
    if (!oid) {
      problems.push({ severity: 'error', code: 'valueset-no-url', resourceType: 'ValueSet', resourceId: vs.id ?? null, patientId: null, message: 'ValueSet has neither url nor id' });
      continue;
    }
    const keys = out.get(oid) ?? new Set<string>();
    const unknownSystems = new Map<string, number>();
    const add = (systemUri: string | undefined, code: string | undefined) => {
      if (!code) return;
      const system = codeSystemForUri(systemUri);
      if (system === null) unknownSystems.set(systemUri ?? '(none)', (unknownSystems.get(systemUri ?? '(none)') ?? 0) + 1);
      else keys.add(conceptKey(system, code));
    };
    const walk = (items: ExpansionEntry[] | undefined) => {
      for (const item of items ?? []) {
        add(item.system, item.code);
        walk(item.contains);
      }
    };
    if (vs.expansion?.contains) walk(vs.expansion.contains);
    else for (const inc of vs.compose?.include ?? []) for (const c of inc.concept ?? []) add(inc.system, c.code);
    for (const [uri, n] of unknownSystems)
      problems.push({ severity: 'warning', code: 'valueset-unknown-system', resourceType: 'ValueSet', resourceId: oid, patientId: null, message: `${n} code(s) in system ${uri} have no contract CodeSystem and can never match` });
    out.set(oid, keys);
  }
  return { valueSets: out, problems };
}
