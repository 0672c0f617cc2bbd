import { describe, expect, it } from 'vitest';
import type { NetworkSession } from '../../../lib/schema/NetworkSession.js';
import { sampleAlert } from '../../support/alerts.js';
import { runPortscan } from '../../support/runCli.js';

describe('The sample alert of the golden files and docs/images/teams-card.png', () => {
  it('names its reporters as the PAN-OS and FortiGate decoders do', async () => {
    const lines = [
      '<14>1 2026-11-02T08:00:08.000Z pa-edge-01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.8|end|TRAFFIC|1|rt=Nov 02 2026 08:00:08 GMT src=192.0.2.193 dst=10.0.20.20 spt=39636 dpt=22 proto=tcp act=allow',
      'Dec 27 11:07:55 FGT-A-LOG CEF: 0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|cat=traffic:forward FTNTFGTeventtime=1545937675 src=10.1.100.11 spt=54190 dst=52.53.140.235 dpt=443 proto=6 act=close FTNTFGTutmaction=allow',
    ];
    const run = await runPortscan(['normalize', '-'], { stdin: lines.join('\n') });
    const reporters = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as NetworkSession)
      .map((r) => `${r.EventVendor}/${r.EventProduct}`)
      .sort();
    expect(reporters).toHaveLength(2);
    expect(sampleAlert().ReportedBy).toEqual(reporters);
  });
});
