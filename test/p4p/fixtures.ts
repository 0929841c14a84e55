import type { P4PInstitutionInput } from '../../src/performance/p4p/statement.ts';

/** An institution with the given indicator rates (denominator 100 each unless overridden). */
export function institution(
  institutionId: string,
  rates: { O1: number | string; O2: number | string; P1: number | string; P2: number | string },
  overrides: Partial<P4PInstitutionInput> & { denominators?: Partial<Record<'O1' | 'O2' | 'P1' | 'P2', number>> } = {},
): P4PInstitutionInput {
  const { denominators = {}, ...rest } = overrides;
  return {
    institutionId,
    level: 'community',
    indicators: (['O1', 'O2', 'P1', 'P2'] as const).map((id) => ({ id, rate: rates[id], denominator: denominators[id] ?? 100 })),
    servedPersons: 2000,
    capitationPayment: '1000000.00',
    previousComposite: null,
    costPerMemberYear: 1000,
    ...rest,
  };
}

/** DOMAIN.md worked example: O1 50%, O2 45%, P1 70%, P2 52% -> C 0.55. */
export const WORKED_RATES = { O1: 0.5, O2: 0.45, P1: 0.7, P2: 0.52 };
