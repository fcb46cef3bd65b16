import type { FaultFilter } from '../bindings/FaultFilter';
import type { Severity } from '../bindings/Severity';

/** The Faults view's form, as typed (text inputs stay text until applied). */
export interface FaultForm {
  severity: Severity | 'any';
  activeOnly: boolean;
  spn: string;
  sourceAddress: string;
  /** `YYYY-MM-DD` from a date input, or empty. */
  from: string;
  to: string;
}

export const EMPTY_FORM: FaultForm = { severity: 'any', activeOnly: true, spn: '', sourceAddress: '', from: '', to: '' };

export type FormProblem = { field: keyof FaultForm; message: string };

/** Turns the form into the backend's filter, or says which field is wrong and why. */
export function toFilter(form: FaultForm): FaultFilter | FormProblem {
  const whole = (text: string, max: number) => (/^[0-9]+$/.test(text.trim()) && Number(text) <= max ? Number(text) : null);
  const spn = form.spn.trim() === '' ? null : whole(form.spn, 524_287);
  if (spn === null && form.spn.trim() !== '') return { field: 'spn', message: 'An SPN is a whole number from 0 to 524287.' };
  const sa = form.sourceAddress.trim() === '' ? null : whole(form.sourceAddress, 255);
  if (sa === null && form.sourceAddress.trim() !== '') {
    return { field: 'sourceAddress', message: 'A source address is a whole number from 0 to 255.' };
  }
  // Whole days in UTC: from the start of `from` to the end of `to`.
  const since = form.from ? `${form.from}T00:00:00Z` : null;
  const until = form.to ? `${form.to}T23:59:59Z` : null;
  if (since && until && since > until) return { field: 'to', message: 'The end date is before the start date.' };
  return {
    severity: form.severity === 'any' ? null : form.severity,
    activeOnly: form.activeOnly,
    spn,
    sourceAddress: sa,
    since,
    until,
  };
}

export function isProblem(value: FaultFilter | FormProblem): value is FormProblem {
  return 'field' in value && 'message' in value;
}
