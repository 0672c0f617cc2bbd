/** The tables of a deployment, named by its table prefix (`PORTSCAN_TABLE_PREFIX`, default Portscan). */
export interface TableNames {
  /** Window rows: one per (source, bin, partition). */
  readonly windows: string;
  /** Closer, partition progress and flow-log cursors. */
  readonly control: string;
  /** Alerts recorded before they are sent, and chat conversations. */
  readonly outbox: string;
  /** Samples of records that could not be decoded. */
  readonly deadLetters: string;
}

/** The one place the table names are derived from the prefix. */
export function tableNamesOf(tablePrefix: string): TableNames {
  return {
    windows: `${tablePrefix}Windows`,
    control: `${tablePrefix}Control`,
    outbox: `${tablePrefix}Outbox`,
    deadLetters: `${tablePrefix}DeadLetters`,
  };
}
