import type { DecodeSink } from './types.js';

/**
 * A sink that counts `reason` as noted once, with the item's first row, and passes every outcome
 * on: the one way a decoder says "decoded, with this fallback" (`DecodeSink.note`). An item that
 * ends skipped or invalid is not noted.
 */
export function notingFirstRecord(out: DecodeSink, reason: string): DecodeSink {
  let noted = false;
  return {
    record(session) {
      if (!noted) out.note(reason);
      noted = true;
      out.record(session);
    },
    skip: (r) => out.skip(r),
    invalid: (r, detail) => out.invalid(r, detail),
    note: (r) => out.note(r),
  };
}
