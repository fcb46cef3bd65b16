import type { AlertKind } from '../bindings/AlertKind';
import type { AttemptOutcome } from '../bindings/AttemptOutcome';
import type { ChannelKind } from '../bindings/ChannelKind';
import type { ChannelRules } from '../bindings/ChannelRules';
import type { DeliveryStatus } from '../bindings/DeliveryStatus';
import type { Severity } from '../bindings/Severity';
import type { TestAnswer } from '../bindings/TestAnswer';
import { ALERT_KIND } from './alerts';
import type { Tone } from './format';
import { formatClock, parseClock } from './settings';

/** How each kind of channel is named, and what its URL is called, with an example. */
export const CHANNEL_KIND: Record<ChannelKind, { label: string; url: string; example: string }> = {
  slack: { label: 'Slack', url: 'Incoming webhook URL', example: 'https://hooks.slack.com/services/…' },
  teams: {
    label: 'Microsoft Teams',
    url: 'Workflows webhook URL',
    example: 'From a Teams workflow “When a Teams webhook request is received”',
  },
  discord: { label: 'Discord', url: 'Webhook URL', example: 'https://discord.com/api/webhooks/…' },
  ntfy: { label: 'ntfy', url: 'Topic URL', example: 'https://ntfy.sh/your-fleet-topic' },
  email: { label: 'E-mail', url: '', example: '' },
  webhook: { label: 'Webhook (signed JSON)', url: 'Endpoint URL', example: 'https://your-server.example/truckiq' },
};

export const CHANNEL_KINDS: ChannelKind[] = ['slack', 'teams', 'discord', 'ntfy', 'email', 'webhook'];

/** The kinds a channel may be sent, in the order they are offered. */
export const CHANNEL_ALERT_KINDS: AlertKind[] = [
  'new_critical_fault',
  'critical_without_case',
  'risk_change',
  'not_communicating',
  'sync_failed',
  'mfa_needed',
  'stale_data',
  'first_sync',
];

export const CHANNEL_TIERS: Severity[] = ['critical', 'major', 'minor', 'info'];

/** What a new channel gets unless the person changes it (the core's defaults). */
export const DEFAULT_RULES: ChannelRules = {
  kinds: CHANNEL_ALERT_KINDS.filter((k) => k !== 'first_sync'),
  tiers: ['critical', 'major'],
  accounts: [],
  quietHours: null,
  urgentThrough: true,
};

/** "Critical and major · 7 kinds of alert · quiet 22:00–06:00, critical goes through" */
export function describeRules(rules: ChannelRules): string {
  const tiers: string[] = rules.tiers;
  const last = tiers.at(-1);
  const listed = last === undefined ? 'no tier' : tiers.length > 1 ? `${tiers.slice(0, -1).join(', ')} and ${last}` : last;
  const tierText = listed.charAt(0).toUpperCase() + listed.slice(1);
  const only = rules.kinds.length === 1 ? rules.kinds[0] : undefined;
  const kinds = only ? ALERT_KIND[only].toLowerCase() : `${rules.kinds.length} kinds of alert`;
  const quiet = rules.quietHours
    ? ` · quiet ${formatClock(rules.quietHours.startMinute)}–${formatClock(rules.quietHours.endMinute)}${
        rules.urgentThrough ? ', critical goes through' : ', critical waits too'
      }`
    : '';
  const accounts = rules.accounts.length > 0 ? ` · ${rules.accounts.length} account${rules.accounts.length > 1 ? 's' : ''}` : '';
  return `${tierText} · ${kinds}${accounts}${quiet}`;
}

/** "Delivered in 84 ms — HTTP 200 OK: ok", or why not. */
export function describeAnswer(answer: TestAnswer): string {
  return `${answer.delivered ? 'Delivered' : 'Not delivered'} in ${answer.durationMs} ms — ${answer.answer}`;
}

export const DELIVERY_STATUS: Record<DeliveryStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Waiting', tone: 'warning' },
  delivered: { label: 'Delivered', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
};

export const ATTEMPT_OUTCOME: Record<AttemptOutcome, string> = {
  delivered: 'delivered',
  retry: 'will retry',
  failed: 'given up',
};

/** Comma- or line-separated e-mail addresses, trimmed, without blanks. */
export function parseRecipients(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

/** A channel's rules as the form holds them: quiet hours as typed, possibly not yet valid. */
export interface RulesDraft {
  kinds: AlertKind[];
  tiers: Severity[];
  /** Empty: every account, including ones added later. */
  accounts: string[];
  quiet: boolean;
  quietFrom: string;
  quietTo: string;
  urgentThrough: boolean;
}

export function draftOf(rules: ChannelRules): RulesDraft {
  return {
    kinds: rules.kinds,
    tiers: rules.tiers,
    accounts: rules.accounts,
    quiet: rules.quietHours !== null,
    quietFrom: formatClock(rules.quietHours?.startMinute ?? 22 * 60),
    quietTo: formatClock(rules.quietHours?.endMinute ?? 6 * 60),
    urgentThrough: rules.urgentThrough,
  };
}

/** The rules a draft stands for, or what to change first (the core refuses the same). */
export function rulesOf(draft: RulesDraft): { rules: ChannelRules } | { problem: string } {
  if (draft.kinds.length === 0 || draft.tiers.length === 0) return { problem: 'Choose at least one kind of alert and one tier.' };
  const [start, end] = [parseClock(draft.quietFrom), parseClock(draft.quietTo)];
  if (draft.quiet && (start === null || end === null || start === end)) return { problem: 'Enter quiet hours as two different times.' };
  return {
    rules: {
      kinds: draft.kinds,
      tiers: draft.tiers,
      accounts: draft.accounts,
      quietHours: draft.quiet && start !== null && end !== null ? { startMinute: start, endMinute: end } : null,
      urgentThrough: draft.urgentThrough,
    },
  };
}
