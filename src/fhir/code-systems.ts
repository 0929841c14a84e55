/**
 * FHIR code-system URIs to contract `CodeSystem` names. The canonical URIs come from the contracts
 * (`CODE_SYSTEM_URI`); the aliases are spellings seen in published data (the eCQM test decks and
 * VSAC expansions write HCPCS as `http://www.cms.gov/...` or the UMLS URI, not the contract's https form).
 */
import { CODE_SYSTEM_URI } from '../../data-contracts/v1/index.ts';
import type { CodeSystem } from '../../data-contracts/v1/index.ts';

const ALIASES: Record<string, CodeSystem> = {
  'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets': 'HCPCS',
  'http://www.nlm.nih.gov/research/umls/hcpcs': 'HCPCS',
  'urn:oid:2.16.840.1.113883.6.285': 'HCPCS',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10-CN',
  'urn:oid:2.16.840.1.113883.6.90': 'ICD-10-CM',
  'urn:oid:2.16.840.1.113883.6.96': 'SNOMED-CT',
  'urn:oid:2.16.840.1.113883.6.1': 'LOINC',
  'urn:oid:2.16.840.1.113883.6.12': 'CPT',
  'urn:oid:2.16.840.1.113883.6.88': 'RxNorm',
  'urn:oid:2.16.840.1.113883.5.4': 'HL7-ActCode',
};

const BY_URI: ReadonlyMap<string, CodeSystem> = new Map<string, CodeSystem>([
  ...(Object.entries(CODE_SYSTEM_URI) as [CodeSystem, string][]).map(([system, uri]) => [uri, system] as [string, CodeSystem]),
  ...Object.entries(ALIASES),
]);

/** The contract code system for a FHIR `system` URI, or null when Stratum has no such system. */
export function codeSystemForUri(uri: string | undefined): CodeSystem | null {
  if (uri === undefined) return null;
  return BY_URI.get(uri) ?? BY_URI.get(uri.replace(/\/$/, '')) ?? null;
}

/** The lookup key a value-set member and a contract record share: `system|code`. */
export function conceptKey(system: CodeSystem, code: string): string {
  return `${system}|${code}`;
}
