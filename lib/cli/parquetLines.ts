import { gunzipSync } from 'node:zlib';
import { asyncBufferFromFile, type Compressors, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { InputError } from '../errors.js';

/**
 * Page codecs beyond the ones hyparquet decodes itself (uncompressed, Snappy): GZIP, which VPC Flow
 * Logs uses for its Parquet files ("Flow log files", VPC User Guide: "Data in Parquet format with
 * Gzip compression"), through Node's zlib.
 */
const COMPRESSORS: Compressors = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
};

/**
 * The rows of a Parquet file as JSON lines, one row group at a time (memory stays at one row group,
 * whatever the file size), for the CLI to read like any JSON-lines file: the decoders see objects
 * keyed by the column names (`account_id`, `srcaddr`, `log_status`, … for VPC flow logs). int64
 * columns arrive as bigints; they are written as numbers when exact, as strings otherwise.
 *
 * @throws {InputError} when the file is not Parquet or uses a codec we cannot decode
 */
export async function* parquetLines(path: string): AsyncGenerator<string> {
  const file = await asyncBufferFromFile(path);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw new InputError(`${path}: not a readable Parquet file (${(cause as Error).message})`, {
      cause,
      context: { path },
    });
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors: COMPRESSORS });
    } catch (cause) {
      throw new InputError(
        `${path}: Parquet rows ${rowStart}–${rowEnd} unreadable (${(cause as Error).message})`,
        {
          cause,
          context: { path },
        },
      );
    }
    let chunk = '';
    for (const row of rows) chunk += `${JSON.stringify(row, toJsonValue)}\n`;
    yield chunk;
    rowStart = rowEnd;
  }
}

function toJsonValue(_key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
