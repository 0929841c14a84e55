/**
 * A member's intervention list: the services their class's package pays for, each with a due
 * date computed from the member's own history and marked done, due or overdue (DOMAIN.md,
 * "Risk classes and management packages"). Pure.
 */
import type { Policy, RiskClass, ServiceDefinition } from '../config/policy.ts';
import { addDays } from '../lib/dates.ts';

/** One dated event from the member's record, reduced to what services are matched on. */
export interface HistoryEvent {
  entity: 'encounter' | 'procedure' | 'observation' | 'service_request';
  /** Encounter class, for encounters. */
  encounterClass?: string;
  /** `SYSTEM|code`, for coded events. */
  code?: string;
  /** Date of the event, YYYY-MM-DD. */
  date: string;
}

export type InterventionStatus = 'done' | 'due' | 'overdue';

export interface Intervention {
  id: string;
  label: string;
  status: InterventionStatus;
  /** When the service is (or next will be) due. */
  dueDate: string;
  lastDone: string | null;
}

export interface InterventionContext {
  riskClass: RiskClass;
  chronic: ReadonlySet<string>;
  age: number;
  asOf: string;
  /** Since when the member has been managed (sign-up date): a never-done service falls due one interval after it. */
  managedSince: string;
  history: readonly HistoryEvent[];
}


function matches(service: ServiceDefinition, event: HistoryEvent): boolean {
  return service.matches.some(
    (m) =>
      m.entity === event.entity &&
      (!m.encounterClasses || (event.encounterClass !== undefined && m.encounterClasses.includes(event.encounterClass))) &&
      (!m.codes || (event.code !== undefined && m.codes.includes(event.code))),
  );
}

/** The services that apply to this member (conditions and age filters). */
export function applicableServices(ctx: Pick<InterventionContext, 'riskClass' | 'chronic' | 'age'>, policy: Pick<Policy, 'packages'>): ServiceDefinition[] {
  return policy.packages.services[ctx.riskClass].filter(
    (s) => ctx.age >= s.minAge && (s.forConditions.length === 0 || s.forConditions.some((c) => ctx.chronic.has(c))),
  );
}

export function interventionList(ctx: InterventionContext, policy: Pick<Policy, 'packages'>): Intervention[] {
  const grace = policy.packages.graceDays;
  return applicableServices(ctx, policy).map((service) => {
    let lastDone: string | null = null;
    for (const e of ctx.history) if (e.date <= ctx.asOf && matches(service, e) && (lastDone === null || e.date > lastDone)) lastDone = e.date;
    const dueDate = addDays(lastDone ?? ctx.managedSince, service.intervalDays);
    const status: InterventionStatus = dueDate > ctx.asOf ? 'done' : addDays(dueDate, grace) >= ctx.asOf ? 'due' : 'overdue';
    // A service never done is never "done", even when the member was signed up only recently.
    return { id: service.id, label: service.label, status: lastDone === null && status === 'done' ? 'due' : status, dueDate, lastDone };
  });
}

/** Share of required services delivered, for the package's pay-on-delivery (capped at 1 by the settlement rules). */
export function deliveredShare(list: readonly Intervention[]): number {
  if (list.length === 0) return 1;
  return list.filter((i) => i.status === 'done').length / list.length;
}
