import { describe, expect, it } from 'vitest';
import {
  EMPTY_FORM,
  WORST_FIRST,
  activeFields,
  faultQuery,
  formFromParams,
  formParams,
  isProblem,
  nextFaultOrder,
  orderFromParams,
  orderParams,
  parseDay,
  toFilter,
} from './faults';
import { hrefWith } from './routes';

describe('toFilter', () => {
  it('turns the form into the backend filter, whole days on this computer', () => {
    const form = { ...EMPTY_FORM, search: ' 1042 ', severity: 'critical' as const, spn: ' 3226 ', fmi: '4', sourceAddress: '61', from: '2026-11-01', to: '11/23/2026' };
    expect(toFilter(form)).toEqual({
      search: '1042',
      severity: 'critical',
      activeOnly: true,
      spn: 3226,
      fmi: 4,
      sourceAddress: 61,
      since: new Date(2026, 10, 1).toISOString(),
      until: new Date(2026, 10, 23, 23, 59, 59).toISOString(),
    });
    expect(toFilter(EMPTY_FORM)).toEqual({
      search: '',
      severity: null,
      activeOnly: true,
      spn: null,
      fmi: null,
      sourceAddress: null,
      since: null,
      until: null,
    });
  });

  it('names the field that is wrong', () => {
    const spn = toFilter({ ...EMPTY_FORM, spn: '600000' });
    expect(isProblem(spn) && spn.field).toBe('spn');
    const fmi = toFilter({ ...EMPTY_FORM, fmi: '32' });
    expect(isProblem(fmi) && fmi.message).toMatch(/0 to 31/);
    const sa = toFilter({ ...EMPTY_FORM, sourceAddress: 'engine' });
    expect(isProblem(sa) && sa.message).toMatch(/0 to 255/);
    const dates = toFilter({ ...EMPTY_FORM, from: '2026-11-23', to: '2026-11-01' });
    expect(isProblem(dates) && dates.field).toBe('to');
    const typo = toFilter({ ...EMPTY_FORM, from: '2026-02-30' });
    expect(isProblem(typo) && typo.field).toBe('from');
  });
});

describe('parseDay', () => {
  it('reads ISO and US days and refuses days that do not exist', () => {
    expect(parseDay('2026-11-30')).toEqual(new Date(2026, 10, 30));
    expect(parseDay('11/30/2026')).toEqual(new Date(2026, 10, 30));
    expect(parseDay('2026-13-01')).toBeNull();
    expect(parseDay('yesterday')).toBeNull();
  });
});

describe('the form in the address', () => {
  it('round-trips and marks what narrows the list', () => {
    const form = { ...EMPTY_FORM, search: 'ABC', severity: 'major' as const, activeOnly: false, spn: '3226', fmi: '4' };
    const href = hrefWith('faults', formParams(form));
    expect(href).toBe('#/faults?q=ABC&severity=major&active=0&spn=3226&fmi=4');
    expect(formFromParams(new URLSearchParams(href.split('?')[1]))).toEqual(form);
    expect(activeFields(form)).toEqual(['search', 'severity', 'activeOnly', 'spn', 'fmi']);
    expect(hrefWith('faults', formParams(EMPTY_FORM))).toBe('#/faults');
    expect(activeFields(EMPTY_FORM)).toEqual([]);
  });
});

describe('the order', () => {
  it('flips on the same header, starts the latest first on "last reported", and lives in the address', () => {
    const byCode = nextFaultOrder(WORST_FIRST, 'code');
    expect(byCode).toEqual({ sort: 'code', descending: false });
    expect(nextFaultOrder(byCode, 'code')).toEqual({ sort: 'code', descending: true });
    expect(nextFaultOrder(byCode, 'last_reported')).toEqual({ sort: 'last_reported', descending: true });
    expect(orderParams(WORST_FIRST)).toEqual({ sort: null, desc: null });
    const latest = { sort: 'last_reported' as const, descending: true };
    expect(orderFromParams(new URLSearchParams('sort=last_reported&desc=1'))).toEqual(latest);
    expect(orderFromParams(new URLSearchParams('sort=nonsense'))).toEqual(WORST_FIRST);
    expect(faultQuery(toFilter(EMPTY_FORM) as never, latest, 2)).toMatchObject({ sort: 'last_reported', descending: true, offset: 200, limit: 100 });
  });
});
