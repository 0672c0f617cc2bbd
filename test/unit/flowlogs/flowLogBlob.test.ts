import { describe, expect, it } from 'vitest';
import { toFlowLogBlobRef, windowPartitionOf } from '../../../lib/flowlogs/flowLogBlob.js';

// Blob names as Microsoft Learn's "Read flow logs" builds them (VNet and NSG flow logs).
const VNET =
  'flowLogResourceID=/00000000-0000-0000-0000-000000000000_NETWORKWATCHERRG/NETWORKWATCHER_EASTUS_CONTOSOFLOWLOG/y=2023/m=07/d=09/h=03/m=00/macAddress=0022485D8CF8/PT1H.json';
const NSG =
  'resourceId=/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/FLOWLOGSVALIDATIONWESTCENTRALUS/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/V2VALIDATIONVM-NSG/y=2018/m=11/d=11/h=03/m=00/macAddress=000D3AF87856/PT1H.json';

describe('flowLogBlob: toFlowLogBlobRef', () => {
  it.each([
    ['a VNet flow-log blob', 'insights-logs-flowlogflowevent', VNET, '2023-07-09T03:00:00.000Z'],
    ['an NSG flow-log blob', 'insights-logs-networksecuritygroupflowevent', NSG, '2018-11-11T03:00:00.000Z'],
  ])('reads the hour of %s from its folders', (_label, container, name, hour) => {
    const ref = toFlowLogBlobRef(container, name);
    expect(new Date(ref.hourStartMs as number).toISOString()).toBe(hour);
    expect(ref.blobKey).toMatch(/^[0-9a-f]{16}$/);
    expect(ref.feedPartition).toMatch(/^flowlog-[0-9a-f]{16}$/);
  });

  it('gives the hours of one network interface one feed, and each hour its own blob key', () => {
    const next = VNET.replace('h=03', 'h=04');
    const a = toFlowLogBlobRef('insights-logs-flowlogflowevent', VNET);
    const b = toFlowLogBlobRef('insights-logs-flowlogflowevent', next);
    expect(b.feedPartition).toBe(a.feedPartition);
    expect(b.blobKey).not.toBe(a.blobKey);
    const otherNic = toFlowLogBlobRef(
      'insights-logs-flowlogflowevent',
      VNET.replace('0022485D8CF8', '0022485D8CF9'),
    );
    expect(otherNic.feedPartition).not.toBe(a.feedPartition);
  });

  it.each([
    ['a name without hour folders', 'some/other/blob.json'],
    ['folders naming an hour that does not exist', VNET.replace('h=03', 'h=25')],
  ])('keeps %s without an hour', (_label, name) => {
    const ref = toFlowLogBlobRef('insights-logs-flowlogflowevent', name);
    expect(ref.hourStartMs).toBeUndefined();
  });

  it('gives each generation of a blob its own window partition, with no character Table keys refuse', () => {
    const ref = toFlowLogBlobRef('insights-logs-flowlogflowevent', VNET);
    const p1 = windowPartitionOf(ref, 'a:b:10');
    const p2 = windowPartitionOf(ref, 'c:d:10');
    expect(p1).not.toBe(p2);
    expect(p1).toMatch(/^blob-[0-9a-f]{16}$/);
  });
});
