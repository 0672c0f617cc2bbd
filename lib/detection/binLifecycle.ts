import type { DetectionSettings } from '../config/detectionSettings.js';

/** The settings the rules below read. */
export type BinTimes = Pick<DetectionSettings, 'binMs' | 'allowedLatenessMs' | 'retentionMs'>;

/*
 * How a bin moves through its life, written once for both drivers of the detection: the closing
 * timer with ingest (closeBins and ingestBatch, over a WindowStore) and `portscan detect`
 * (StreamingDetector, in memory). Event time drives every step (decision D3).
 *
 * - The watermark is the latest event time that has arrived (for the timer: of the partitions that
 *   hold it, lib/detection/watermark.ts) less the allowed lateness (`watermarkAt`).
 * - A driver keeps a *closed boundary*, the end of the latest bin it has closed; it only moves
 *   forward, to the latest bin end at or before the watermark (`closedBoundaryOf`).
 * - A bin is closed once it ends at or before the boundary (`isBinClosed`): each of its windows
 *   is evaluated once, an alert for each over the threshold.
 * - A row for a closed bin is late: its window is evaluated again. The alert it makes now is late
 *   (`IsLate`) when the window was not over the threshold when its bin closed (a window with no
 *   row then was not); it corrects the alert already made otherwise.
 * - A bin is beyond retention once it ends `retentionMs` or more before the boundary
 *   (`isBeyondRetention`): its alerts are final, its state is released, and its rows are dropped
 *   and counted (`older than the retention horizon`). The first bin still retained is
 *   `retentionHorizonOf` the boundary.
 */

/** The watermark when the latest event time that holds it is `latestEventTimeMs`. */
export function watermarkAt(latestEventTimeMs: number, allowedLatenessMs: number): number {
  return latestEventTimeMs - allowedLatenessMs;
}

/** The closed boundary a watermark allows: the latest bin end at or before it (bins are aligned to the epoch). */
export function closedBoundaryOf(watermarkMs: number, binMs: number): number {
  return Math.floor(watermarkMs / binMs) * binMs;
}

/** Whether the bin starting at `binStartMs` is closed under the boundary `closedMs`. */
export function isBinClosed(binStartMs: number, closedMs: number, binMs: number): boolean {
  return binStartMs + binMs <= closedMs;
}

/** Whether the bin starting at `binStartMs` is beyond retention under the boundary `closedMs`. */
export function isBeyondRetention(binStartMs: number, closedMs: number, times: BinTimes): boolean {
  return binStartMs + times.binMs + times.retentionMs <= closedMs;
}

/** The start of the first bin still retained under the boundary `closedMs`: every bin before it is beyond retention. */
export function retentionHorizonOf(closedMs: number, times: BinTimes): number {
  return closedBoundaryOf(closedMs - times.retentionMs, times.binMs);
}
