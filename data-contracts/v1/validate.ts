/**
 * Validation that says which record failed, at which field, by which rule, so a reject file or
 * an HTTP 400 body can be acted on without reading code.
 */
import type { z } from 'zod';
import { ENTITIES, type EntityName, type EntityRecord } from './entities.ts';

export interface FieldViolation {
  /** Which record: entity name plus its id or position in the source (e.g. "observation O123" or "line 42"). */
  record: string;
  /** Dotted path to the field, e.g. "value" or "dx.3". */
  path: string;
  /** The rule that failed: zod's issue code (invalid_type, too_small, invalid_format, custom, ...). */
  rule: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; violations: FieldViolation[] };

/** Turn zod issues into violations naming the record. */
export function violationsFrom(error: z.ZodError, record: string): FieldViolation[] {
  return error.issues.map((issue) => ({
    record,
    path: issue.path.map(String).join('.') || '(record)',
    rule: issue.code,
    message: issue.message,
  }));
}

/** Validate one raw record against its entity's contract. */
export function validateRecord<E extends EntityName>(entity: E, raw: unknown, recordRef: string): Validated<EntityRecord<E>> {
  const parsed = (ENTITIES[entity] as z.ZodType).safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data as EntityRecord<E> };
  return { ok: false, violations: violationsFrom(parsed.error, `${entity} ${recordRef}`) };
}

/** One line a person can read: "observation O1: value: too_small (Number must be ...)". */
export function formatViolation(v: FieldViolation): string {
  return `${v.record}: ${v.path}: ${v.rule} (${v.message})`;
}
