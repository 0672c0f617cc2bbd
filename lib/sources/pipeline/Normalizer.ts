import type { NetworkSession } from '../../schema/NetworkSession.js';
import { excerpt } from './fields.js';
import { type FlowGroup, type FlowTuple, flowSession } from './flowRows.js';
import type { DecodeContext, DecodeSink, JsonObject, SourceDecoder, SourceLocation } from './types.js';

/** A record that could not be decoded: counted, and kept as a bounded sample for operators. */
export interface DeadLetter {
  /** The decoder that rejected it, or `unknown` when no decoder recognized it. */
  readonly source: string;
  readonly reason: string;
  readonly detail?: string;
  readonly location: SourceLocation;
  /** The first characters of the item, control characters escaped. */
  readonly excerpt: string;
}

/** Counts of what the normalizer did. Keys of the maps are reasons (`source: reason` for invalid items). */
export interface NormalizeCounts {
  /** Items read: JSON records and non-empty text lines. */
  itemsRead: number;
  /** NetworkSession rows produced. */
  recordsNormalized: number;
  /** Items skipped on purpose, by reason (header lines, non-network events). */
  readonly skipped: Map<string, number>;
  /** Items that could not be decoded, by `source: reason`. */
  readonly invalid: Map<string, number>;
  /** Items decoded with a counted fallback, by `source: reason` (see `DecodeSink.note`). */
  readonly noted: Map<string, number>;
  /** Items by the decoder that handled them. */
  readonly bySource: Map<string, number>;
}

export interface NormalizerOptions {
  /** `auto` recognizes each item's source; a decoder name forces it. */
  readonly format: string;
  /** How many dead letters to keep as samples (the rest are only counted). */
  readonly maxDeadLetters: number;
  /** Longest text field of a row; a longer one rejects the row as `field over the size limit`. */
  readonly maxFieldChars?: number;
}

/** Source name used for items no decoder recognizes. */
export const UNKNOWN_SOURCE = 'unknown';

/**
 * Routes items to decoders and counts every outcome: the one place where recognition, decoding
 * and bad-input accounting happen, for the CLI and the function alike. It never throws for bad
 * input; a decoder that throws anyway is caught and counted as `decoder failure`, so one hostile
 * record never takes its batch down.
 */
export class Normalizer {
  readonly counts: NormalizeCounts = {
    itemsRead: 0,
    recordsNormalized: 0,
    skipped: new Map(),
    invalid: new Map(),
    noted: new Map(),
    bySource: new Map(),
  };
  readonly deadLetters: DeadLetter[] = [];

  readonly #decoders: readonly SourceDecoder[];
  readonly #jsonDecoders: readonly SourceDecoder[];
  readonly #textDecoders: readonly SourceDecoder[];
  readonly #byName: ReadonlyMap<string, SourceDecoder>;
  readonly #forced: SourceDecoder | undefined;
  readonly #options: NormalizerOptions;
  readonly #sink: RoutingSink;
  readonly #emit: (s: NetworkSession) => void;

  /**
   * @param emit receives every row
   * @param emitFlow when given, receives flow-log tuples' rows instead of `emit`, as the tuple and
   *   its group (`flowSession(tuple, group)` is the row `emit` would get): for an engine that reads
   *   them without a NetworkSession each
   */
  constructor(
    decoders: readonly SourceDecoder[],
    options: NormalizerOptions,
    emit: (s: NetworkSession) => void,
    emitFlow?: (tuple: FlowTuple, group: FlowGroup) => void,
  ) {
    this.#decoders = decoders;
    this.#jsonDecoders = decoders.filter((d) => d.matchJson !== undefined && d.decodeJson !== undefined);
    this.#textDecoders = decoders.filter((d) => d.matchText !== undefined && d.decodeText !== undefined);
    this.#byName = new Map(decoders.map((d) => [d.name, d]));
    this.#options = options;
    this.#forced = options.format === 'auto' ? undefined : this.#byName.get(options.format);
    this.#sink = new RoutingSink(
      this.counts,
      {
        emit,
        emitFlow,
        invalid: (source, reason, detail, location, item) =>
          this.#invalid(source, reason, detail, location, item),
        skip: (reason) => this.#skip(reason),
      },
      options.maxFieldChars ?? 4096,
    );
    this.#emit = emit;
  }

  /** True when every item's source is recognized by content (`auto`), false when a format is forced. */
  get isAuto(): boolean {
    return this.#forced === undefined && this.#options.format === 'auto';
  }

  /** The longest text field a row may have. */
  get maxFieldChars(): number {
    return this.#options.maxFieldChars ?? 4096;
  }

  /**
   * Counts one item read outside the normalizer into `rows` equal rows, exactly as `decoder` would
   * have read it, and emits them.
   */
  acceptDecoded(decoder: string, session: NetworkSession, rows: number): void {
    this.counts.itemsRead++;
    this.counts.bySource.set(decoder, (this.counts.bySource.get(decoder) ?? 0) + 1);
    for (let i = 0; i < rows; i++) {
      this.counts.recordsNormalized++;
      this.#emit(session);
    }
  }

  /** Counts one item read outside the normalizer, as `decoder` would, into `rows` rows that the caller routes itself. */
  countDecoded(decoder: string, rows: number): void {
    this.counts.itemsRead++;
    this.counts.bySource.set(decoder, (this.counts.bySource.get(decoder) ?? 0) + 1);
    this.counts.recordsNormalized += rows;
  }

  /** Names of the decoders, for `--format` validation and help. */
  get sourceNames(): readonly string[] {
    return this.#decoders.map((d) => d.name);
  }

  /** Decodes one JSON record. */
  json(record: JsonObject, location: SourceLocation, ctx: DecodeContext): void {
    this.counts.itemsRead++;
    const decoder = this.#forced ?? this.#matchJson(record);
    if (decoder?.decodeJson === undefined) {
      const keys = `keys: ${excerpt(Object.keys(record).slice(0, 8).join(', '), 80)}`;
      const family = decoder === undefined ? this.#resembling((d) => d.resemblesJson?.(record)) : undefined;
      if (family !== undefined) {
        this.#invalid(family.source, family.reason, keys, location, record);
        return;
      }
      const source = decoder?.name ?? UNKNOWN_SOURCE;
      this.#invalid(
        source,
        decoder === undefined ? 'unrecognized JSON record' : `not a ${source} JSON record`,
        keys,
        location,
        record,
      );
      return;
    }
    this.#run(decoder, location, record, () => decoder.decodeJson?.(record, this.#sink, ctx));
  }

  /** Decodes one text line. */
  text(line: string, location: SourceLocation, ctx: DecodeContext): void {
    this.counts.itemsRead++;
    const decoder = this.#forced ?? this.#matchText(line, ctx);
    if (decoder?.decodeText === undefined) {
      const family = decoder === undefined ? this.#resembling((d) => d.resemblesText?.(line)) : undefined;
      if (family !== undefined) {
        this.#invalid(family.source, family.reason, undefined, location, line);
        return;
      }
      const source = decoder?.name ?? UNKNOWN_SOURCE;
      this.#invalid(
        source,
        decoder === undefined ? 'unrecognized text line' : `not a ${source} text line`,
        undefined,
        location,
        line,
      );
      return;
    }
    this.#run(decoder, location, line, () => decoder.decodeText?.(line, this.#sink, ctx));
  }

  /**
   * Rejects an item before any decoder sees it (malformed JSON, a line, message or input over its
   * size limit, an unreadable message body): counts it as read and as invalid under the `unknown`
   * source, and keeps a dead letter. `item` is what the dead letter quotes; nothing by default,
   * because the raw input may be huge or binary.
   */
  reject(reason: string, detail: string | undefined, location: SourceLocation, item: unknown = ''): void {
    this.counts.itemsRead++;
    this.#invalid(UNKNOWN_SOURCE, reason, detail, location, item);
  }

  /** Counts an item read and skipped on purpose before any decoder sees it (a control message). */
  skipItem(reason: string): void {
    this.counts.itemsRead++;
    this.#skip(reason);
  }

  #invalid(
    source: string,
    reason: string,
    detail: string | undefined,
    location: SourceLocation,
    item: unknown,
  ): void {
    const key = `${source}: ${reason}`;
    this.counts.invalid.set(key, (this.counts.invalid.get(key) ?? 0) + 1);
    if (this.deadLetters.length < this.#options.maxDeadLetters) {
      this.deadLetters.push({
        source,
        reason,
        ...(detail === undefined ? {} : { detail }),
        location,
        excerpt: excerpt(item, 120),
      });
    }
  }

  #skip(reason: string): void {
    this.counts.skipped.set(reason, (this.counts.skipped.get(reason) ?? 0) + 1);
  }

  #run(decoder: SourceDecoder, location: SourceLocation, item: unknown, decode: () => void): void {
    this.counts.bySource.set(decoder.name, (this.counts.bySource.get(decoder.name) ?? 0) + 1);
    this.#sink.begin(decoder.name, location, item);
    try {
      decode();
    } catch (error) {
      // A decoder must not throw; if one does, the item is bad input, not a failed batch.
      const detail =
        error instanceof Error ? `${error.name}: ${excerpt(error.message, 100)}` : 'non-Error thrown';
      this.#invalid(decoder.name, 'decoder failure', detail, location, item);
    }
  }

  /**
   * The first source an unclaimed item resembles, with the reason it gives: the item is reported
   * under that source's family instead of as `unknown`. The checks are cheap, total predicates
   * (the fuzzers hold them to that), asked only about items nobody claimed.
   */
  #resembling(
    reasonOf: (d: SourceDecoder) => string | undefined,
  ): { readonly source: string; readonly reason: string } | undefined {
    for (const d of this.#decoders) {
      const reason = reasonOf(d);
      if (reason !== undefined) return { source: d.name, reason };
    }
    return undefined;
  }

  #matchJson(record: JsonObject): SourceDecoder | undefined {
    for (const d of this.#jsonDecoders) if (d.matchJson?.(record) === true) return d;
    return undefined;
  }

  #matchText(line: string, ctx: DecodeContext): SourceDecoder | undefined {
    const sticky = ctx.stream.stickySource;
    if (sticky !== undefined) {
      const d = this.#byName.get(sticky);
      if (d?.matchText?.(line, ctx) === true) return d;
    }
    for (const d of this.#textDecoders) if (d.matchText?.(line, ctx) === true) return d;
    return undefined;
  }
}

/** Where the routing sink sends what a decoder reports. */
interface SinkTargets {
  readonly emit: (s: NetworkSession) => void;
  readonly emitFlow: ((tuple: FlowTuple, group: FlowGroup) => void) | undefined;
  readonly invalid: (
    source: string,
    reason: string,
    detail: string | undefined,
    location: SourceLocation,
    item: unknown,
  ) => void;
  readonly skip: (reason: string) => void;
}

/** The DecodeSink handed to decoders: remembers the current item so that `invalid` can point at it. */
class RoutingSink implements DecodeSink {
  readonly #counts: NormalizeCounts;
  readonly #targets: SinkTargets;
  readonly #maxFieldChars: number;
  #source = UNKNOWN_SOURCE;
  #location: SourceLocation = { input: '-' };
  #item: unknown;

  constructor(counts: NormalizeCounts, targets: SinkTargets, maxFieldChars: number) {
    this.#counts = counts;
    this.#targets = targets;
    this.#maxFieldChars = maxFieldChars;
  }

  begin(source: string, location: SourceLocation, item: unknown): void {
    this.#source = source;
    this.#location = location;
    this.#item = item;
  }

  record(session: NetworkSession): void {
    const tooLong = longField(session, this.#maxFieldChars);
    if (tooLong !== undefined) {
      this.invalid('field over the size limit', `${tooLong} longer than ${this.#maxFieldChars} characters`);
      return;
    }
    this.#counts.recordsNormalized++;
    this.#targets.emit(session);
  }

  /**
   * `record(flowSession(tuple, group))`, without the session when a flow target is given and no
   * field of the row can be over the size limit: the fields that vary are checked (the times and
   * constants of a flow row are under 32 characters), any other case takes `record`.
   */
  flow(tuple: FlowTuple, group: FlowGroup): void {
    const emitFlow = this.#targets.emitFlow;
    const max = this.#maxFieldChars;
    if (
      emitFlow === undefined ||
      max < SHORT_FLOW_FIELD_CHARS ||
      tuple.srcIp.length > max ||
      tuple.dstIp.length > max ||
      (tuple.protocol !== undefined && tuple.protocol.length > max) ||
      (group.rule !== undefined && group.rule.length > max) ||
      (group.dvc !== undefined && group.dvc.length > max)
    ) {
      this.record(flowSession(tuple, group));
      return;
    }
    this.#counts.recordsNormalized++;
    emitFlow(tuple, group);
  }

  skip(reason: string): void {
    this.#targets.skip(`${this.#source}: ${reason}`);
  }

  invalid(reason: string, detail?: string): void {
    this.#targets.invalid(this.#source, reason, detail, this.#location, this.#item);
  }

  note(reason: string): void {
    const key = `${this.#source}: ${reason}`;
    const noted = this.#counts.noted;
    noted.set(key, (noted.get(key) ?? 0) + 1);
  }
}

/** Longer than any time, constant, direction or outcome a flow row holds (an ISO time is at most 27). */
const SHORT_FLOW_FIELD_CHARS = 32;

/** The first text field of a row longer than `max` characters, if any. */
function longField(session: NetworkSession, max: number): string | undefined {
  for (const key in session) {
    const value = session[key as keyof NetworkSession];
    if (typeof value === 'string' && value.length > max) return key;
  }
  return undefined;
}
