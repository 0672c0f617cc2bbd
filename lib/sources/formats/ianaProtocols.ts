/**
 * The IANA "Assigned Internet Protocol Numbers" keywords, exactly as the ASIM parsers' shared
 * `ProtocolLookup` datatable lists them (Azure/Azure-Sentinel
 * `Parsers/ASimNetworkSession/Parsers/vimNetworkSessionAWSVPC.yaml`, also used by the Cisco ASA and
 * Check Point parsers and by `_ASIM_ResolveNetworkProtocol`).
 *
 * Quirks kept on purpose, because Sentinel shows them: 61, 63, 68, 99, 114, 253 and 254 map to the
 * empty string; 84 is listed twice (`TTP` and `IPTM`), so a KQL `lookup` yields two rows for it;
 * numbers 144 to 252 are absent.
 */
const IANA_PROTOCOLS: ReadonlyMap<number, readonly string[]> = new Map<number, readonly string[]>([
  [0, ['HOPOPT']],
  [1, ['ICMP']],
  [2, ['IGMP']],
  [3, ['GGP']],
  [4, ['IPv4']],
  [5, ['ST']],
  [6, ['TCP']],
  [7, ['CBT']],
  [8, ['EGP']],
  [9, ['IGP']],
  [10, ['BBN-RCC-MON']],
  [11, ['NVP-II']],
  [12, ['PUP']],
  [13, ['ARGUS (deprecated)']],
  [14, ['EMCON']],
  [15, ['XNET']],
  [16, ['CHAOS']],
  [17, ['UDP']],
  [18, ['MUX']],
  [19, ['DCN-MEAS']],
  [20, ['HMP']],
  [21, ['PRM']],
  [22, ['XNS-IDP']],
  [23, ['TRUNK-1']],
  [24, ['TRUNK-2']],
  [25, ['LEAF-1']],
  [26, ['LEAF-2']],
  [27, ['RDP']],
  [28, ['IRTP']],
  [29, ['ISO-TP4']],
  [30, ['NETBLT']],
  [31, ['MFE-NSP']],
  [32, ['MERIT-INP']],
  [33, ['DCCP']],
  [34, ['3PC']],
  [35, ['IDPR']],
  [36, ['XTP']],
  [37, ['DDP']],
  [38, ['IDPR-CMTP']],
  [39, ['TP++']],
  [40, ['IL']],
  [41, ['IPv6']],
  [42, ['SDRP']],
  [43, ['IPv6-Route']],
  [44, ['IPv6-Frag']],
  [45, ['IDRP']],
  [46, ['RSVP']],
  [47, ['GRE']],
  [48, ['DSR']],
  [49, ['BNA']],
  [50, ['ESP']],
  [51, ['AH']],
  [52, ['I-NLSP']],
  [53, ['SWIPE (deprecated)']],
  [54, ['NARP']],
  [55, ['MOBILE']],
  [56, ['TLSP']],
  [57, ['SKIP']],
  [58, ['IPv6-ICMP']],
  [59, ['IPv6-NoNxt']],
  [60, ['IPv6-Opts']],
  [61, ['']],
  [62, ['CFTP']],
  [63, ['']],
  [64, ['SAT-EXPAK']],
  [65, ['KRYPTOLAN']],
  [66, ['RVD']],
  [67, ['IPPC']],
  [68, ['']],
  [69, ['SAT-MON']],
  [70, ['VISA']],
  [71, ['IPCV']],
  [72, ['CPNX']],
  [73, ['CPHB']],
  [74, ['WSN']],
  [75, ['PVP']],
  [76, ['BR-SAT-MON']],
  [77, ['SUN-ND']],
  [78, ['WB-MON']],
  [79, ['WB-EXPAK']],
  [80, ['ISO-IP']],
  [81, ['VMTP']],
  [82, ['SECURE-VMTP']],
  [83, ['VINES']],
  [84, ['TTP', 'IPTM']],
  [85, ['NSFNET-IGP']],
  [86, ['DGP']],
  [87, ['TCF']],
  [88, ['EIGRP']],
  [89, ['OSPFIGP']],
  [90, ['Sprite-RPC']],
  [91, ['LARP']],
  [92, ['MTP']],
  [93, ['AX.25']],
  [94, ['IPIP']],
  [95, ['MICP (deprecated)']],
  [96, ['SCC-SP']],
  [97, ['ETHERIP']],
  [98, ['ENCAP']],
  [99, ['']],
  [100, ['GMTP']],
  [101, ['IFMP']],
  [102, ['PNNI']],
  [103, ['PIM']],
  [104, ['ARIS']],
  [105, ['SCPS']],
  [106, ['QNX']],
  [107, ['A/N']],
  [108, ['IPComp']],
  [109, ['SNP']],
  [110, ['Compaq-Peer']],
  [111, ['IPX-in-IP']],
  [112, ['VRRP']],
  [113, ['PGM']],
  [114, ['']],
  [115, ['L2TP']],
  [116, ['DDX']],
  [117, ['IATP']],
  [118, ['STP']],
  [119, ['SRP']],
  [120, ['UTI']],
  [121, ['SMP']],
  [122, ['SM (deprecated)']],
  [123, ['PTP']],
  [124, ['ISIS over IPv4']],
  [125, ['FIRE']],
  [126, ['CRTP']],
  [127, ['CRUDP']],
  [128, ['SSCOPMCE']],
  [129, ['IPLT']],
  [130, ['SPS']],
  [131, ['PIPE']],
  [132, ['SCTP']],
  [133, ['FC']],
  [134, ['RSVP-E2E-IGNORE']],
  [135, ['Mobility Header']],
  [136, ['UDPLite']],
  [137, ['MPLS-in-IP']],
  [138, ['manet']],
  [139, ['HIP']],
  [140, ['Shim6']],
  [141, ['WESP']],
  [142, ['ROHC']],
  [143, ['Ethernet']],
  [253, ['']],
  [254, ['']],
  [255, ['Reserved']],
]);

/**
 * All names the ASIM lookup table gives for an IANA protocol number: one name for most numbers,
 * two for 84, none for a number the table does not list.
 */
export function ianaProtocolNames(protocolNumber: number): readonly string[] {
  return IANA_PROTOCOLS.get(protocolNumber) ?? [];
}

/**
 * KQL `lookup ProtocolLookup on Protocol` of the AWS, Cisco ASA and Check Point parsers: the table
 * names of a protocol number written as a plain decimal (`"6"` or 6). Two names for 84 (the lookup
 * duplicates the row), `['']` for the unnamed numbers, none for anything else (`"tcp"`, `"06"`,
 * 200). `_ASIM_ResolveNetworkProtocol` is `resolveNetworkProtocolNames` below.
 */
export function lookupProtocolNames(protocol: string | number | undefined): readonly string[] {
  const text = typeof protocol === 'number' ? String(protocol) : protocol;
  if (text === undefined || !/^(0|[1-9]\d{0,2})$/.test(text)) return [];
  return ianaProtocolNames(Number(text));
}

/**
 * The first ASIM lookup name of an IANA protocol number, or `undefined` when the table does not
 * list it. An empty string is a real table value (61, 63, 68, 99, 114, 253, 254).
 */
export function ianaProtocolName(protocolNumber: number): string | undefined {
  return IANA_PROTOCOLS.get(protocolNumber)?.[0];
}

/**
 * `_ASIM_ResolveNetworkProtocol` (docs/sources/firewalls.md#iana-protocol-table): the protocol read
 * as KQL `toint` reads it (decimal
 * digits, leading zeros allowed) and looked up in the IANA table, one row per table name as the
 * function's lookup gives them: two for 84 (`TTP`, `IPTM`), and `Unassigned` for the names the table
 * leaves empty (61, 63, 68, 99, 114, 253, 254), for numbers it does not list, and for anything that is
 * not a number (`toint("TCP")` is null) or absent.
 */
export function resolveNetworkProtocolNames(protocol: string | undefined): readonly string[] {
  if (protocol === undefined || !/^\d+$/.test(protocol)) return UNASSIGNED;
  const names = ianaProtocolNames(Number(protocol));
  if (names.length === 0) return UNASSIGNED;
  return names.some((name) => name === '') ? names.map((name) => name || 'Unassigned') : names;
}

const UNASSIGNED: readonly string[] = ['Unassigned'];
