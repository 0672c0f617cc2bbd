import { describe, expect, it } from 'vitest';
import { nxlogWindowsEvent } from '../../../../lib/sources/microsoft-host/nxlogWindowsEvent.js';
import { securityEventWfp } from '../../../../lib/sources/microsoft-host/securityEventWfp.js';
import { wadWindowsEvent } from '../../../../lib/sources/microsoft-host/wadWindowsEvent.js';
import { windowsEvent } from '../../../../lib/sources/microsoft-host/windowsEvent.js';
import { normalizeRows } from '../../../support/golden.js';

const NXLOG_5157 = {
  EventTime: '2025-11-20 13:00:02',
  Hostname: 'web01.contoso.com',
  EventID: 5157,
  SourceName: 'Microsoft-Windows-Security-Auditing',
  Channel: 'Security',
  Direction: '%%14593',
  SourceAddress: '10.1.0.20',
  SourcePort: '51000',
  DestAddress: '203.0.113.9',
  DestPort: '445',
  Protocol: '6',
  SourceModuleType: 'im_msvistalog',
};

describe('Decoder: nxlog-windows-event', () => {
  it('claims NXLog records ahead of the SecurityEvent column form, which would also match them', () => {
    expect(nxlogWindowsEvent.matchJson?.(NXLOG_5157)).toBe(true);
    expect(securityEventWfp.matchJson?.(NXLOG_5157)).toBe(true);
    expect(normalizeRows([NXLOG_5157], { fallbackTime: '2025-11-20T12:00:09Z' }).sources).toEqual({
      'nxlog-windows-event': 1,
    });
  });

  it('claims no Log Analytics row', () => {
    expect(nxlogWindowsEvent.matchJson?.({ ...NXLOG_5157, Type: 'SecurityEvent' })).toBe(false);
    expect(nxlogWindowsEvent.matchJson?.({ Type: 'WindowsEvent', EventID: 5157, Provider: 'x' })).toBe(false);
  });

  it('reports no event time for a zoneless EventTime without an enqueued time (the CLI)', () => {
    const result = normalizeRows([NXLOG_5157]);
    expect(result.records).toEqual([]);
    expect(result.invalid).toEqual({ 'nxlog-windows-event: no event time': 1 });
  });

  it('reads an EventTime with its offset as the event time, and notes nothing', () => {
    const result = normalizeRows([{ ...NXLOG_5157, EventTime: '2025-11-20T13:00:02.250-05:00' }], {
      fallbackTime: '2025-11-20T12:00:09Z',
    });
    expect(result.records.map((r) => r.TimeGenerated)).toEqual(['2025-11-20T18:00:02.250Z']);
    expect(result.noted).toEqual({});
  });
});

describe('Decoder: wad-windows-event', () => {
  const raw = (eventId: number) =>
    `<Event><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>${eventId}</EventID><Computer>app01</Computer></System><EventData><Data Name="Direction">%%14593</Data><Data Name="SourceAddress">10.1.0.40</Data><Data Name="SourcePort">50000</Data><Data Name="DestAddress">198.51.100.5</Data><Data Name="DestPort">443</Data><Data Name="Protocol">6</Data></EventData></Event>`;

  it('claims records with RawXml event XML and nothing the WindowsEvent decoder claims', () => {
    const record = { ProviderName: 'Microsoft-Windows-Security-Auditing', EventId: 5156, RawXml: raw(5156) };
    expect(wadWindowsEvent.matchJson?.(record)).toBe(true);
    expect(windowsEvent.matchJson?.(record)).toBe(false);
    expect(wadWindowsEvent.matchJson?.({ ...record, RawXml: 'not xml' })).toBe(false);
  });

  it('takes PreciseTimeStamp when the event XML has no TimeCreated', () => {
    const result = normalizeRows([
      { PreciseTimeStamp: '2025-11-20T12:00:01.5Z', EventId: 5156, RawXml: raw(5156) },
    ]);
    expect(result.records.map((r) => [r.TimeGenerated, r.SrcIpAddr, r.DstPortNumber, r.Dvc])).toEqual([
      ['2025-11-20T12:00:01.500Z', '10.1.0.40', 443, 'app01'],
    ]);
  });
});
