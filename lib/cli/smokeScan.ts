import { alertIdOf } from '../alerts/alertId.js';
import type { DetectionSettings } from '../config/detectionSettings.js';
import type { JsonObject } from '../sources/pipeline/types.js';

/** The reporter of a smoke test's records: its alert's `ReportedBy` says `Portscan/Smoke test`. */
export const SMOKE_VENDOR = 'Portscan';
export const SMOKE_PRODUCT = 'Smoke test';
/** The target of the synthetic scan: in TEST-NET-1 (RFC 5737), like the default smoke source. */
export const SMOKE_TARGET = '192.0.2.1';
/** Most distinct ports a window can hold (0 to 65535). */
const PORT_COUNT = 65_536;

/** The synthetic scan of one smoke test: what is sent, and where the deployment keeps it. */
export interface SmokeScan {
  readonly source: string;
  readonly binStartMs: number;
  readonly binEndMs: number;
  /** The alert the scan raises once its bin closes (`alertIdOf` the rule, source and bin). */
  readonly alertId: string;
  /** The distinct destination ports, ascending: one more than the threshold. */
  readonly ports: readonly number[];
  /** One ASIM NetworkSession record per port, all stamped `atMs`. */
  readonly records: readonly JsonObject[];
}

/**
 * The synthetic scan `portscan smoke` sends: from the smoke-test source (so its alert is marked
 * `IsTest`), one record per port for one port more than the threshold (ports 1 and up; 0 as well
 * when the threshold asks for all of them), every record stamped `atMs`, so that all fall in the
 * bin of `atMs`. The records are ASIM NetworkSession rows, which the ingest function decodes as
 * they are (docs/sources.md, `asim`), denied, so the alert shows no port reached.
 *
 * Ports in `taken` (those an earlier smoke test left in the bin's window) are left out, so that
 * this scan changes the window's port count: the closer sends a correction for rows that change
 * an alert's ports, not for rows that only add events.
 */
export function smokeScan(
  settings: DetectionSettings,
  atMs: number,
  taken: { has(port: number): boolean } = { has: () => false },
): SmokeScan {
  const wanted = Math.min(settings.threshold + 1, PORT_COUNT);
  const ports: number[] = [];
  for (let port = 1; port < PORT_COUNT && ports.length < wanted; port++) {
    if (!taken.has(port)) ports.push(port);
  }
  if (ports.length < wanted && !taken.has(0)) ports.unshift(0);
  const binStartMs = Math.floor(atMs / settings.binMs) * settings.binMs;
  return {
    source: settings.smokeSource,
    binStartMs,
    binEndMs: binStartMs + settings.binMs,
    alertId: alertIdOf(settings.rule.id, settings.smokeSource, binStartMs),
    ports,
    records: ports.map((port) => smokeRecord(settings.smokeSource, port, atMs)),
  };
}

/**
 * One record of the smoke source stamped `atMs`, sent to move the event-time watermark of a quiet
 * hub past the scan's bin: a row of the smoke source in a later bin, one port, far below any
 * threshold.
 */
export function keepAliveRecord(settings: DetectionSettings, atMs: number): JsonObject {
  return smokeRecord(settings.smokeSource, 1, atMs);
}

function smokeRecord(source: string, port: number, atMs: number): JsonObject {
  return {
    TimeGenerated: new Date(atMs).toISOString(),
    EventVendor: SMOKE_VENDOR,
    EventProduct: SMOKE_PRODUCT,
    EventSchema: 'NetworkSession',
    EventSchemaVersion: '0.2.6',
    EventType: 'NetworkSession',
    EventCount: 1,
    EventResult: 'Failure',
    DvcAction: 'Deny',
    Dvc: 'portscan-smoke',
    SrcIpAddr: source,
    DstIpAddr: SMOKE_TARGET,
    DstPortNumber: port,
    NetworkProtocol: 'TCP',
  };
}
