import { describe, expect, it } from 'vitest';
import { toSlackMessage } from '../../../lib/alerts/cards/slackMessage.js';
import { TEAMS_MESSAGE_MAX_BYTES, toTeamsMessage } from '../../../lib/alerts/cards/teamsMessage.js';
import {
  conversationOf,
  conversationTotals,
  conversationUpdate,
  isGrouped,
  joinConversation,
  openConversation,
  sameTotals,
} from '../../../lib/alerts/chatConversation.js';
import type { Alert } from '../../../lib/schema/Alert.js';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import { detectAlerts, sampleAlert } from '../../support/alerts.js';
import { scan } from '../../support/sessions.js';

const HOUR = 3_600_000;
const BIN = 5 * 60_000;

/** Alerts of 203.0.113.50 in the bins starting at the given times, with 60 + i ports. */
function alertsAt(...isos: string[]): Alert[] {
  return detectAlerts(isos.flatMap((iso, i) => scan('203.0.113.50', 60 + i, iso)));
}

describe('Chat conversation: one per scanner and window', () => {
  const [first, second, third] = alertsAt(
    '2026-11-01T10:00:00Z',
    '2026-11-01T11:00:00Z',
    '2026-11-01T15:05:00Z',
  ) as [Alert, Alert, Alert];

  it('finds the conversation an alert joins: its own, else the nearest opener within the window', () => {
    const opened = openConversation(first);
    expect(conversationOf([opened], first, 5 * HOUR)).toBe(opened);
    expect(conversationOf([opened], second, 5 * HOUR)).toBe(opened);
    // 5 hours and 5 minutes after the opener: outside.
    expect(conversationOf([opened], third, 5 * HOUR)).toBeUndefined();
    // A late alert of an earlier bin joins too.
    const later = openConversation(second);
    expect(conversationOf([later], first, 5 * HOUR)).toBe(later);
    expect(conversationOf([opened, openConversation(third)], second, 5 * HOUR)).toBe(opened);
  });

  it('counts a bin once however often it joins, and marks an update only for bins other than the opener', () => {
    const opened = openConversation(first);
    expect(opened.hasPendingUpdate).toBe(false);
    expect(joinConversation(opened, first)).toBe(opened);
    const joined = joinConversation(opened, second);
    expect(joined.hasPendingUpdate).toBe(true);
    expect(joinConversation(joined, second)).toBe(joined);
    expect(conversationTotals(joined, BIN)).toEqual({
      FirstBinStart: '2026-11-01T10:00:00.000Z',
      LastBinEnd: '2026-11-01T11:05:00.000Z',
      Bins: 2,
      AttemptedPortsCountMax: 61,
      ReachedPortsCountMax: 0,
      EventCount: 121,
    });
    expect(sameTotals(undefined, conversationTotals(joined, BIN))).toBe(false);
    expect(sameTotals(conversationTotals(joined, BIN), conversationTotals(joined, BIN))).toBe(true);
  });

  it('keeps known scanners and smoke tests out of conversations', () => {
    expect(isGrouped(first)).toBe(true);
    expect(isGrouped({ ...first, IsTest: true })).toBe(false);
    expect(
      isGrouped({ ...first, Suppression: { Kind: 'known scanner', Cidr: 'x', Reason: 'y', Expires: 'z' } }),
    ).toBe(false);
  });

  it('carries the totals in the next revision of the opener, a valid alert document', () => {
    const update = conversationUpdate(
      first,
      conversationTotals(joinConversation(openConversation(first), second), BIN),
    );
    expect(AlertSchema.parse(update)).toEqual(update);
    expect(update).toMatchObject({ AlertId: first.AlertId, Revision: 2, AttemptedPortsCount: 60 });
  });
});

describe('Chat conversation: the update card', () => {
  const alert = sampleAlert();
  const update = conversationUpdate(alert, {
    FirstBinStart: '2026-11-01T10:00:00.000Z',
    LastBinEnd: '2026-11-01T13:05:00.000Z',
    Bins: 17,
    AttemptedPortsCountMax: 1873,
    ReachedPortsCountMax: 2,
    EventCount: 41_250,
  });

  it('is a short Teams card with the running totals and no port list', () => {
    const message = toTeamsMessage(update);
    const body = message.attachments[0].content.body as Record<string, unknown>[];
    const header = body[0] as { items: { text: string }[] };
    expect(header.items.map((i) => i.text)).toEqual([
      'Update: still scanning from 203.0.113.50',
      'Medium severity · 17 windows over the threshold since 10:00 UTC',
    ]);
    const facts = (body[1] as { facts: { title: string; value: string }[] }).facts;
    expect(Object.fromEntries(facts.map((f) => [f.title, f.value]))).toEqual({
      Source: '203.0.113.50',
      Since: '2026-11-01 10:00–13:05 UTC',
      Windows: '17 windows of 5 minutes over the threshold (50 ports)',
      Ports: 'up to 1,873 distinct in a window',
      Reached: 'up to 2 ports in a window',
      Events: '41,250',
    });
    expect(JSON.stringify(message)).not.toContain('Ports (');
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(TEAMS_MESSAGE_MAX_BYTES / 10);
  });

  it('is a short Slack message with the same facts', () => {
    const message = toSlackMessage(update);
    expect(message.text).toBe(
      'Update: still scanning from 203.0.113.50: Medium severity · 17 windows over the threshold since 10:00 UTC',
    );
    expect(JSON.stringify(message.blocks)).toContain('up to 1,873 distinct in a window');
  });

  it('leaves the full card of an alert without a conversation as it was', () => {
    const card = toTeamsMessage(alert);
    const header = (card.attachments[0].content.body[0] as { items: { text: string }[] }).items[0];
    expect(header?.text).toBe('Potential port scan from 203.0.113.50');
  });
});
