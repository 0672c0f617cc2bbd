import type { SourceDecoder } from '../pipeline/types.js';
import { ciscoMerakiPoller } from './ciscoMerakiPoller.js';
import { ciscoMerakiSyslog } from './ciscoMerakiSyslog.js';
import { corelightZeek } from './corelightZeek.js';
import { vectraStream } from './vectraStream.js';

/**
 * Decoders of the Network sensors and SD-WAN: Corelight/Zeek conn logs, Vectra metadata_isession, Cisco Meraki, in the order automatic recognition tries them (most specific first).
 *
 * Vectra records carry Zeek's `id.orig_h` keys too, so Vectra (recognized by `metadata_type`) comes
 * before Corelight/Zeek, whose matcher also refuses `metadata_type`. The Meraki API matcher needs
 * `eventType`, which no other source here uses; the Meraki syslog matcher needs a known Meraki log
 * type after an epoch and a device name.
 */
export const SENSOR_SOURCES: readonly SourceDecoder[] = [
  ciscoMerakiPoller,
  vectraStream,
  corelightZeek,
  ciscoMerakiSyslog,
];
