import type { SourceDecoder } from '../pipeline/types.js';
import { defenderDeviceNetworkEvents } from './defenderDeviceNetworkEvents.js';
import { nxlogWindowsEvent } from './nxlogWindowsEvent.js';
import { securityEventWfp } from './securityEventWfp.js';
import { vmConnection } from './vmConnection.js';
import { wadWindowsEvent } from './wadWindowsEvent.js';
import { windowsEvent } from './windowsEvent.js';

/**
 * Decoders of the Microsoft endpoint and host sources: Defender XDR DeviceNetworkEvents, SecurityEvent and WindowsEvent (Windows Filtering Platform, Sysmon event 3) and the same events from NXLog and the Azure Diagnostics (WAD) extension, VMConnection, in the order automatic recognition tries them (most specific first).
 *
 * Each claims its Log Analytics table by `Type` when the row carries it, so the order only matters
 * for rows without `Type`, whose column signatures are disjoint: a Defender stream record has
 * `category: "AdvancedHunting-…"`, a WindowsEvent row a `Provider` column and an `EventData` object,
 * a SecurityEvent row a Security-log marker and no `Provider`, a VMConnection row `Direction` and
 * `LinksEstablished`/`ConnectionId`/`Machine`. NXLog records (`SourceName`, `Hostname`,
 * `EventTime`) and WAD records (`RawXml`) come before SecurityEvent, whose matcher would otherwise
 * take an NXLog Security-channel record for a SecurityEvent row without `Type`.
 */
export const MICROSOFT_HOST_SOURCES: readonly SourceDecoder[] = [
  defenderDeviceNetworkEvents,
  windowsEvent,
  nxlogWindowsEvent,
  wadWindowsEvent,
  securityEventWfp,
  vmConnection,
];
