/** Shared field shapes for the v1 contracts. */
import { z } from 'zod';

/**
 * Pseudonymous identifiers only: analytics never holds national ID numbers (DOMAIN.md "Data
 * rules"). An 18-character resident ID (17 digits + digit/X) is refused outright.
 */
export const Id = z
  .string()
  .min(1, 'id must not be empty')
  .max(64, 'id must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'id may contain only letters, digits and . _ : -')
  .refine((s) => !/^\d{17}[\dXx]$/.test(s), 'id looks like a national ID number; use a pseudonymous id');

export const IsoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });
export const IsoDateTime = z.iso.datetime({ offset: true, local: false, message: 'must be an ISO 8601 date-time with offset or Z' });

/** Exact money in CNY as a decimal string with at most two places (never binary floating point). */
export const MoneyString = z.string().regex(/^-?\d{1,15}(\.\d{1,2})?$/, 'must be a decimal amount with at most 2 places, e.g. "1234.50"');

export const YearMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');

/** Where a record came from: lineage recorded by the loader (source file, load id). */
export const Lineage = z.object({
  source_file: z.string().optional(),
  load_id: z.string().optional(),
});
