import { describe, expect, it } from 'vitest';
import {
  ianaProtocolName,
  ianaProtocolNames,
  resolveNetworkProtocolNames,
} from '../../../../lib/sources/formats/ianaProtocols.js';

describe('Module: ianaProtocols', () => {
  it.each([
    [6, ['TCP']],
    [84, ['TTP', 'IPTM']],
    [61, ['']],
    [200, []],
  ])('lists the table names of %i', (protocolNumber, names) => {
    expect(ianaProtocolNames(protocolNumber)).toEqual(names);
    expect(ianaProtocolName(protocolNumber)).toBe(names[0]);
  });

  it.each<[string | undefined, readonly string[]]>([
    ['6', ['TCP']],
    ['17', ['UDP']],
    ['006', ['TCP']],
    ['84', ['TTP', 'IPTM']],
    ...['61', '63', '68', '99', '114', '253', '254'].map((n): [string, readonly string[]] => [
      n,
      ['Unassigned'],
    ]),
    ['255', ['Reserved']],
    ['200', ['Unassigned']],
    ['256', ['Unassigned']],
    ['9'.repeat(400), ['Unassigned']],
    ['TCP', ['Unassigned']],
    ['-6', ['Unassigned']],
    ['6.0', ['Unassigned']],
    ['', ['Unassigned']],
    [undefined, ['Unassigned']],
  ])('resolves %j like _ASIM_ResolveNetworkProtocol, to %j', (protocol, names) => {
    expect(resolveNetworkProtocolNames(protocol)).toEqual(names);
  });
});
