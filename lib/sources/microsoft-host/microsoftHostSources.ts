import type { SourceDecoder } from '../pipeline/types.js';
import { defenderDeviceNetworkEvents } from './defenderDeviceNetworkEvents.js';
import { securityEventWfp } from './securityEventWfp.js';
import { vmConnection } from './vmConnection.js';
import { windowsEvent } from './windowsEvent.js';

/**
 * Decoders of the Microsoft endpoint and host sources: Defender XDR DeviceNetworkEvents, SecurityEvent and WindowsEvent (Windows Filtering Platform, Sysmon event 3), VMConnection, in the order automatic recognition tries them (most specific first).
 *
 * Each claims its Log Analytics table by `Type` when the row carries it, so the order only matters
 * for rows without `Type`, whose column signatures are disjoint: a Defender stream record has
 * `category: "AdvancedHunting-…"`, a WindowsEvent row a `Provider` column and an `EventData` object,
 * a SecurityEvent row a Security-log marker and no `Provider`, a VMConnection row `Direction` and
 * `LinksEstablished`/`ConnectionId`/`Machine`.
 */
export const MICROSOFT_HOST_SOURCES: readonly SourceDecoder[] = [
  defenderDeviceNetworkEvents,
  windowsEvent,
  securityEventWfp,
  vmConnection,
];
