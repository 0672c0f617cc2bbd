import { StreamingDetector } from '../../lib/detection/StreamingDetector.js';
import type { Alert } from '../../lib/schema/Alert.js';
import { AlertSchema } from '../../lib/schema/Alert.js';
import type { NetworkSession } from '../../lib/schema/NetworkSession.js';
import { scan, session } from './sessions.js';
import { testSettings } from './settings.js';

/** Runs rows through the product's detector and returns its alerts, each validated by `AlertSchema`. */
export function detectAlerts(rows: readonly NetworkSession[], env: Record<string, string> = {}): Alert[] {
  const alerts: Alert[] = [];
  const detector = new StreamingDetector(testSettings(env), (a) => alerts.push(AlertSchema.parse(a)));
  for (const r of rows) detector.add(r);
  detector.finish();
  return alerts;
}

/** The one alert of some rows; throws when there is not exactly one. */
export function detectOneAlert(rows: readonly NetworkSession[], env: Record<string, string> = {}): Alert {
  const alerts = detectAlerts(rows, env);
  if (alerts.length !== 1 || alerts[0] === undefined)
    throw new Error(`expected one alert, got ${alerts.length}`);
  return alerts[0];
}

/**
 * The alert of the golden files: 203.0.113.50 scans ports 20–79 of 10.0.0.5 through a PAN-OS
 * firewall `pa-edge-01` (reported as Palo Alto/PanOS, as the decoder names it), every row denied,
 * from 10:01:00.000, one row per 100 ms; then a FortiGate `fgt-dmz` (Fortinet/Fortigate) sees
 * 443, 3389 and 8080 on 10.0.0.6 at 10:03:00.000, 10:03:00.500 and 10:03:01.000, allowing the
 * first two. 63 distinct ports, 63 events, bin 10:00–10:05 on 2026-11-01; reached 443 and 3389;
 * two targets (60 and 3 ports); two devices (60 and 3 events).
 */
export function sampleAlert(): Alert {
  return detectOneAlert([
    ...scan('203.0.113.50', 60, '2026-11-01T10:01:00.000Z', 20, {
      EventVendor: 'Palo Alto',
      EventProduct: 'PanOS',
      DstIpAddr: '10.0.0.5',
      DvcAction: 'Deny',
      Dvc: 'pa-edge-01',
    }),
    ...[443, 3389, 8080].map((port, i) =>
      session(
        '203.0.113.50',
        port,
        new Date(Date.parse('2026-11-01T10:03:00.000Z') + i * 500).toISOString(),
        {
          EventVendor: 'Fortinet',
          EventProduct: 'Fortigate',
          DstIpAddr: '10.0.0.6',
          DvcAction: port === 8080 ? 'Deny' : 'Allow',
          Dvc: 'fgt-dmz',
        },
      ),
    ),
  ]);
}

/**
 * A worst case for the card formats: `ports` odd ports (no two consecutive, so no range
 * shortens them) listed in full (`PORTSCAN_ATTEMPTED_PORTS_LIMIT=65536`), reported by
 * `reporters` products whose vendor names are `vendorChars` characters long.
 */
export function largeAlert(
  ports: number,
  reporters: number,
  vendorChars: number,
  vendor = 'V',
  extra: Partial<NetworkSession> = {},
): Alert {
  const t0 = Date.parse('2026-11-01T10:00:00.000Z');
  const rows: NetworkSession[] = [];
  for (let i = 0; i < ports; i++) {
    const r = i % reporters;
    rows.push(
      session('198.51.100.200', 2 * i + 1, new Date(t0 + i * 10).toISOString(), {
        EventVendor: `${String(r).padStart(2, '0')}${vendor.repeat(vendorChars)}`.slice(0, vendorChars),
        EventProduct: 'Firewall',
        ...extra,
      }),
    );
  }
  return detectOneAlert(rows, { PORTSCAN_ATTEMPTED_PORTS_LIMIT: '65536', PORTSCAN_REPORTED_BY_LIMIT: '64' });
}
