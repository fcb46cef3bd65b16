import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE, PAGES, hrefFor, parseDetailId, parseHash } from './routes';

describe('pages', () => {
  it('lists the sidebar in order with its exact labels', () => {
    expect(PAGES.map((page) => page.label)).toEqual(['Fleet', 'Vehicles', 'Faults', 'Alerts', 'Accounts', 'Settings']);
    expect(DEFAULT_PAGE).toBe('fleet');
  });
});

describe('parseHash', () => {
  it('opens Fleet when there is no route', () => {
    expect(parseHash('')).toBe('fleet');
    expect(parseHash('#')).toBe('fleet');
    expect(parseHash('#/')).toBe('fleet');
  });

  it('reads every page from its own href', () => {
    for (const { id } of PAGES) expect(parseHash(hrefFor(id))).toBe(id);
  });

  it('tolerates a missing slash, trailing slashes, case, deeper paths and queries', () => {
    expect(parseHash('#accounts')).toBe('accounts');
    expect(parseHash('#/accounts/')).toBe('accounts');
    expect(parseHash('#//accounts')).toBe('accounts');
    expect(parseHash('#/Vehicles')).toBe('vehicles');
    expect(parseHash('#/vehicles/1XKYD49X0NJ123456')).toBe('vehicles');
    expect(parseHash('#/faults?severity=critical')).toBe('faults');
  });

  it('returns null for unknown pages, including prototype names', () => {
    expect(parseHash('#/nope')).toBeNull();
    expect(parseHash('#/constructor')).toBeNull();
    expect(parseHash('#/%E2%9C%93')).toBeNull();
    expect(parseHash('#/%')).toBeNull();
    expect(parseHash('#/%61ccounts')).toBe('accounts');
  });
});

describe('parseDetailId', () => {
  it('reads the id after the page and ignores anything else', () => {
    expect(parseDetailId('#/vehicles/42')).toBe(42);
    expect(parseDetailId('#/vehicles/42?tab=faults')).toBe(42);
    expect(parseDetailId('#/vehicles')).toBeNull();
    expect(parseDetailId('#/vehicles/abc')).toBeNull();
    expect(parseDetailId('#/vehicles/-1')).toBeNull();
  });
});
