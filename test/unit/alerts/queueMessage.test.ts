import { describe, expect, it } from 'vitest';
import {
  fromQueueMessage,
  QUEUE_MESSAGE_MAX_CHARS,
  toQueueMessage,
} from '../../../lib/alerts/sinks/StorageQueueSink.js';
import { AlertSchema } from '../../../lib/schema/Alert.js';
import { largeAlert, sampleAlert } from '../../support/alerts.js';

/** As the Functions queue trigger decodes a message with the default messageEncoding "base64". */
function decode(text: string) {
  return AlertSchema.parse(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
}

describe('Queue message: encoding', () => {
  it('is the alert JSON, base64-encoded, unchanged when it fits', () => {
    const alert = sampleAlert();
    const message = toQueueMessage(alert);
    expect(message.kind).toBe('message');
    if (message.kind !== 'message') return;
    expect(message.text).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(decode(message.text)).toEqual(alert);
    expect(message.portsListed).toBe(63);
  });
});

describe('Queue message: decoding', () => {
  it('reads back the alert of a message, and nothing from a message that holds no alert', () => {
    const alert = sampleAlert();
    const message = toQueueMessage(alert);
    if (message.kind !== 'message') throw new Error('expected a message');

    expect(fromQueueMessage(message.text)).toEqual(alert);
    expect(fromQueueMessage(Buffer.from('{"hello":"world"}').toString('base64'))).toBeUndefined();
    expect(fromQueueMessage('not base64 JSON')).toBeUndefined();
  });
});

describe('Queue message: 64 KiB bound', () => {
  it('lists the longest prefix of ports that fits and says so, for 20,000 ports', () => {
    const alert = largeAlert(20_000, 20, 50);
    expect(Buffer.from(JSON.stringify(alert)).toString('base64').length).toBeGreaterThan(
      QUEUE_MESSAGE_MAX_CHARS,
    );
    const message = toQueueMessage(alert);
    if (message.kind !== 'message') throw new Error('expected a message');
    expect(message.text.length).toBeLessThanOrEqual(QUEUE_MESSAGE_MAX_CHARS);
    const decoded = decode(message.text);
    expect(decoded.AttemptedPortsTruncated).toBe(true);
    expect(decoded.AttemptedPortsCount).toBe(20_000);
    expect(decoded.AttemptedPorts).toEqual(alert.AttemptedPorts.slice(0, message.portsListed));
    // The longest: one more port would not fit.
    const oneMore = { ...decoded, AttemptedPorts: alert.AttemptedPorts.slice(0, message.portsListed + 1) };
    expect(Buffer.from(JSON.stringify(oneMore)).toString('base64').length).toBeGreaterThan(
      QUEUE_MESSAGE_MAX_CHARS,
    );
    expect({ ...decoded, AttemptedPorts: alert.AttemptedPorts, AttemptedPortsTruncated: undefined }).toEqual({
      ...alert,
      AttemptedPortsTruncated: undefined,
    });
  });

  it('cuts the ports reached with the ports attempted when every port was reached', () => {
    const alert = largeAlert(20_000, 20, 50, 'V', { DvcAction: 'Allow', DstIpAddr: '192.0.2.9' });
    expect(alert.Evidence?.ReachedPorts).toHaveLength(20_000);
    const message = toQueueMessage(alert);
    if (message.kind !== 'message') throw new Error('expected a message');
    expect(message.text.length).toBeLessThanOrEqual(QUEUE_MESSAGE_MAX_CHARS);
    const decoded = decode(message.text);
    expect(decoded.AttemptedPortsTruncated).toBe(true);
    expect(decoded.Evidence?.ReachedPortsCount).toBe(20_000);
    expect(decoded.Evidence?.ReachedPorts).toEqual(alert.AttemptedPorts.slice(0, message.portsListed));
    expect(decoded.Evidence?.Targets).toEqual([
      { Address: '192.0.2.9', PortsCount: 20_000, PortsCountIsLowerBound: false },
    ]);
  });

  it('refuses an alert that does not fit even without ports', () => {
    const alert = {
      ...sampleAlert(),
      ReportedBy: Array.from({ length: 64 }, (_, i) => `${i}${'x'.repeat(1000)}`),
    };
    expect(toQueueMessage(alert)).toEqual({ kind: 'too-large', chars: expect.any(Number) });
  });

  it('meets the bound exactly at its edge', () => {
    const alert = sampleAlert();
    const fullLength = Buffer.from(JSON.stringify(alert)).toString('base64').length;
    expect(toQueueMessage(alert, fullLength)).toMatchObject({ kind: 'message', portsListed: 63 });
    const cut = toQueueMessage(alert, fullLength - 1);
    expect(cut).toMatchObject({ kind: 'message' });
    if (cut.kind === 'message') expect(cut.portsListed).toBeLessThan(63);
  });
});
