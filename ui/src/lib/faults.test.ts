import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, isProblem, toFilter } from './faults';

describe('toFilter', () => {
  it('turns the form into the backend filter', () => {
    expect(toFilter({ ...EMPTY_FORM, severity: 'critical', spn: ' 3226 ', sourceAddress: '61', from: '2026-11-01', to: '2026-11-23' })).toEqual({
      severity: 'critical',
      activeOnly: true,
      spn: 3226,
      sourceAddress: 61,
      since: '2026-11-01T00:00:00Z',
      until: '2026-11-23T23:59:59Z',
    });
    expect(toFilter(EMPTY_FORM)).toEqual({ severity: null, activeOnly: true, spn: null, sourceAddress: null, since: null, until: null });
  });

  it('names the field that is wrong', () => {
    const spn = toFilter({ ...EMPTY_FORM, spn: '600000' });
    expect(isProblem(spn) && spn.field).toBe('spn');
    const sa = toFilter({ ...EMPTY_FORM, sourceAddress: 'engine' });
    expect(isProblem(sa) && sa.message).toMatch(/0 to 255/);
    const dates = toFilter({ ...EMPTY_FORM, from: '2026-11-23', to: '2026-11-01' });
    expect(isProblem(dates) && dates.field).toBe('to');
  });
});
