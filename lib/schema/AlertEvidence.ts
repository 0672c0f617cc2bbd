import { z } from 'zod';
import { PortNumberSchema } from './NetworkSession.js';

/**
 * The shape of a scan, from its targets and their ports:
 * - `vertical`: one target, many ports;
 * - `horizontal`: several targets, none probed on more than 5 ports;
 * - `block`: several targets, some probed on more than 5 ports;
 * - `unknown`: the rows named no destination address.
 */
export const ScanShapeSchema = z.enum(['vertical', 'horizontal', 'block', 'unknown']);
export type ScanShape = z.infer<typeof ScanShapeSchema>;

/**
 * What the rule does not say and an analyst asks first, from the same rows as the alert: did
 * anything get through, which devices saw it, what was scanned and how. Exact where it says so;
 * where a figure is bounded, a flag says so.
 */
export const AlertEvidenceSchema = z
  .object({
    /** Distinct destination ports of rows whose `DvcAction` is Allow or whose `EventResult` is Success: exact. */
    ReachedPortsCount: z.number().int().min(0),
    /** The smallest of them, ascending, at most as many as `AttemptedPorts` lists. */
    ReachedPorts: z.array(PortNumberSchema),
    /** Reporting devices (`Dvc`, else `DvcHostname`, `DvcIpAddr`, `DvcId`), most events first, at most 10, each with the exact events of its rows. */
    Devices: z.array(z.object({ Name: z.string(), EventCount: z.number().int().min(1) }).strict()),
    /** Distinct devices named by the rows: exact unless `DevicesCountIsLowerBound`. */
    DevicesCount: z.number().int().min(0),
    /** True when more devices reported than the window tracks (16 per partition): there are others. */
    DevicesCountIsLowerBound: z.boolean(),
    /** Distinct destination addresses: exact below 64, else estimated from a sample of 64 (about ±13 %). */
    TargetsCount: z.number().int().min(0),
    TargetsCountIsEstimate: z.boolean(),
    /** The most-probed targets, at most 5, most ports first. */
    Targets: z.array(
      z
        .object({
          Address: z.string(),
          /** Distinct ports of this target's rows: exact up to 32; past that, 33 and `PortsCountIsLowerBound` ("at least"). */
          PortsCount: z.number().int().min(0),
          PortsCountIsLowerBound: z.boolean(),
        })
        .strict(),
    ),
    ScanShape: ScanShapeSchema,
  })
  .strict();

export type AlertEvidence = z.infer<typeof AlertEvidenceSchema>;
