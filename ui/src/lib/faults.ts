import type { FaultFilter } from '../bindings/FaultFilter';
import type { FaultQuery } from '../bindings/FaultQuery';
import type { FaultSort } from '../bindings/FaultSort';
import type { Severity } from '../bindings/Severity';
import { PAGE_SIZE } from './vehicles';

/** The Faults view's form, as typed (text inputs stay text until applied). */
export interface FaultForm {
  /** Part of a unit number or VIN. */
  search: string;
  severity: Severity | 'any';
  activeOnly: boolean;
  spn: string;
  fmi: string;
  sourceAddress: string;
  /** A day as typed: `2026-11-30` or `11/30/2026`, or empty. */
  from: string;
  to: string;
}

export const EMPTY_FORM: FaultForm = {
  search: '',
  severity: 'any',
  activeOnly: true,
  spn: '',
  fmi: '',
  sourceAddress: '',
  from: '',
  to: '',
};

export type FormProblem = { field: keyof FaultForm; message: string };

const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'info'];

/**
 * What the driver should do about an active fault, in one line. From the fault's tier, which the
 * portal's own urgency ("Stop Engine Immediately", "Service Now") sets wherever the portal gives one.
 */
export const DRIVER_ACTION: Record<Severity, string> = {
  critical: 'Stop safely now',
  major: 'Service within 24 h',
  minor: 'At next service',
  info: 'No action needed',
};

/**
 * A typed day, `2026-11-30` or `11/30/2026`, as the start of that day in the computer's own time
 * zone; `null` when it is no real day.
 */
export function parseDay(text: string): Date | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  const [year, month, day] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : us
      ? [Number(us[3]), Number(us[1]), Number(us[2])]
      : [NaN, NaN, NaN];
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? date : null;
}

/** Turns the form into the backend's filter, or says which field is wrong and why. */
export function toFilter(form: FaultForm): FaultFilter | FormProblem {
  const whole = (text: string, max: number) => (/^[0-9]+$/.test(text.trim()) && Number(text) <= max ? Number(text) : null);
  const spn = form.spn.trim() === '' ? null : whole(form.spn, 524_287);
  if (spn === null && form.spn.trim() !== '') return { field: 'spn', message: 'An SPN is a whole number from 0 to 524287.' };
  const fmi = form.fmi.trim() === '' ? null : whole(form.fmi, 31);
  if (fmi === null && form.fmi.trim() !== '') return { field: 'fmi', message: 'An FMI is a whole number from 0 to 31.' };
  const sa = form.sourceAddress.trim() === '' ? null : whole(form.sourceAddress, 255);
  if (sa === null && form.sourceAddress.trim() !== '') {
    return { field: 'sourceAddress', message: 'A source address is a whole number from 0 to 255.' };
  }
  const from = form.from.trim() === '' ? null : parseDay(form.from);
  if (from === null && form.from.trim() !== '') return { field: 'from', message: 'Write the start day as 2026-11-30.' };
  const to = form.to.trim() === '' ? null : parseDay(form.to);
  if (to === null && form.to.trim() !== '') return { field: 'to', message: 'Write the end day as 2026-11-30.' };
  // Whole days on this computer's clock: from the start of `from` to the end of `to`.
  const until = to ? new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1, 0, 0, -1) : null;
  if (from && until && from > until) return { field: 'to', message: 'The end day is before the start day.' };
  return {
    search: form.search.trim(),
    severity: form.severity === 'any' ? null : form.severity,
    activeOnly: form.activeOnly,
    spn,
    fmi,
    sourceAddress: sa,
    since: from ? from.toISOString() : null,
    until: until ? until.toISOString() : null,
  };
}

export function isProblem(value: FaultFilter | FormProblem): value is FormProblem {
  return 'field' in value && 'message' in value;
}

/** The fields of the form that narrow the list (shown marked, and cleared together). */
export function activeFields(form: FaultForm): (keyof FaultForm)[] {
  const fields: (keyof FaultForm)[] = [];
  if (form.search.trim() !== '') fields.push('search');
  if (form.severity !== 'any') fields.push('severity');
  if (!form.activeOnly) fields.push('activeOnly');
  for (const field of ['spn', 'fmi', 'sourceAddress', 'from', 'to'] as const) {
    if (form[field].trim() !== '') fields.push(field);
  }
  return fields;
}

/** The form in the address (`#/faults?severity=critical&spn=3226`), so links can open it filtered. */
export function formFromParams(params: URLSearchParams): FaultForm {
  const severity = SEVERITIES.find((s) => s === params.get('severity')) ?? 'any';
  return {
    search: params.get('q') ?? '',
    severity,
    // Active only unless the address says otherwise ("active=0").
    activeOnly: params.get('active') !== '0',
    spn: params.get('spn') ?? '',
    fmi: params.get('fmi') ?? '',
    sourceAddress: params.get('source') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

export function formParams(form: FaultForm): Record<string, string | number | null> {
  return {
    q: form.search.trim(),
    severity: form.severity === 'any' ? null : form.severity,
    active: form.activeOnly ? null : 0,
    spn: form.spn.trim(),
    fmi: form.fmi.trim(),
    source: form.sourceAddress.trim(),
    from: form.from.trim(),
    to: form.to.trim(),
  };
}

export interface FaultOrder {
  sort: FaultSort;
  descending: boolean;
}

/** Active and worst first, the latest reported first within a tier. */
export const WORST_FIRST: FaultOrder = { sort: 'severity', descending: false };

const SORTS: readonly FaultSort[] = ['severity', 'truck', 'code', 'last_reported'];

/** Clicking a column's header: the same column flips; "last reported" starts with the latest. */
export function nextFaultOrder(current: FaultOrder, sort: FaultSort): FaultOrder {
  return current.sort === sort ? { sort, descending: !current.descending } : { sort, descending: sort === 'last_reported' };
}

export function orderFromParams(params: URLSearchParams): FaultOrder {
  const sort = SORTS.find((s) => s === params.get('sort'));
  return sort ? { sort, descending: params.get('desc') === '1' } : WORST_FIRST;
}

/** The address parameters for an order (the default one is left out). */
export function orderParams(order: FaultOrder): Record<string, string | number | null> {
  const isDefault = order.sort === WORST_FIRST.sort && order.descending === WORST_FIRST.descending;
  return { sort: isDefault ? null : order.sort, desc: isDefault || !order.descending ? null : 1 };
}

export function faultQuery(filter: FaultFilter, order: FaultOrder, page: number): FaultQuery {
  return { filter, ...order, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
}
