import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, describeAnswer, describeRules, draftOf, parseRecipients, rulesOf } from './channels';

describe('channels', () => {
  it('sums a channel’s rules up in one line', () => {
    expect(describeRules(DEFAULT_RULES)).toBe('Critical and major · 7 kinds of alert');
    expect(
      describeRules({
        ...DEFAULT_RULES,
        tiers: ['critical'],
        kinds: ['new_critical_fault'],
        quietHours: { startMinute: 22 * 60, endMinute: 6 * 60 },
      }),
    ).toBe('Critical · new critical fault · quiet 22:00–06:00, critical goes through');
    expect(
      describeRules({
        ...DEFAULT_RULES,
        tiers: ['critical', 'major', 'minor'],
        quietHours: { startMinute: 60, endMinute: 120 },
        urgentThrough: false,
      }),
    ).toBe('Critical, major and minor · 7 kinds of alert · quiet 01:00–02:00, critical waits too');
  });

  it('says what a test message got back', () => {
    expect(describeAnswer({ delivered: true, status: 200, answer: 'HTTP 200 OK: ok', durationMs: 84 })).toBe(
      'Delivered in 84 ms — HTTP 200 OK: ok',
    );
    expect(describeAnswer({ delivered: false, status: 404, answer: 'HTTP 404 Not Found: no_service', durationMs: 9 })).toBe(
      'Not delivered in 9 ms — HTTP 404 Not Found: no_service',
    );
  });

  it('reads recipients separated by commas, semicolons or lines', () => {
    expect(parseRecipients(' a@x.example, b@x.example;\nc@x.example ,, ')).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
  });

  it('turns a form draft back into rules, or says what to change', () => {
    const quiet = { ...DEFAULT_RULES, quietHours: { startMinute: 22 * 60 + 30, endMinute: 6 * 60 } };
    expect(rulesOf(draftOf(quiet))).toEqual({ rules: quiet });
    expect(rulesOf(draftOf(DEFAULT_RULES))).toEqual({ rules: DEFAULT_RULES });
    // Quiet hours switched off keep no times.
    expect(rulesOf({ ...draftOf(quiet), quiet: false })).toEqual({ rules: DEFAULT_RULES });
    expect(rulesOf({ ...draftOf(quiet), quietTo: '22:30' })).toEqual({ problem: 'Enter quiet hours as two different times.' });
    expect(rulesOf({ ...draftOf(quiet), tiers: [] })).toEqual({ problem: 'Choose at least one kind of alert and one tier.' });
  });
});
