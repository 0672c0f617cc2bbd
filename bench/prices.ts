/**
 * List prices the cost model uses (USD, pay-as-you-go, East US), with where each comes from and
 * when it was read. These are estimates: Azure prices change and vary by region; none of them was
 * checked against a live Azure price sheet from this machine. docs/scaling.md repeats them.
 */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly asOf: string;
  /** True when the figure could not be confirmed from a cited page. */
  readonly unverified: boolean;
}

export const PRICES = {
  flexGbSecond: {
    usd: 0.000026,
    unit: 'GB-s of on-demand execution (instance memory × execution time)',
    source:
      'Azure Functions pricing page, as quoted by modal.com "Azure Functions pricing" (2025-05-22); billed per instance active period, at least 1,000 ms, then in 100 ms steps (learn.microsoft.com, "Flex Consumption plan hosting", Billing; read 2026-12-05)',
    asOf: '2025-05-22',
    unverified: false,
  },
  flexMillionExecutions: {
    usd: 0.4,
    unit: 'million on-demand executions',
    source: 'Azure Functions pricing page (Flex Consumption), from memory of the page',
    asOf: '2025',
    unverified: true,
  },
  tableTenThousandTransactions: {
    usd: 0.00036,
    unit: '10,000 Table Storage transactions (LRS)',
    source: 'Azure Table Storage pricing, historical figure noted in docs/platform.md#table-storage-price',
    asOf: '2026-11-29',
    unverified: true,
  },
  tableGbMonth: {
    usd: 0.045,
    unit: 'GB-month of Table Storage (LRS)',
    source: 'Azure Table Storage pricing page, from memory of the page',
    asOf: '2025',
    unverified: true,
  },
  eventHubsTuHour: {
    usd: 0.03,
    unit: 'throughput unit-hour, Event Hubs Standard (1 MB/s or 1,000 events/s in)',
    source:
      'Azure Retail Prices as Infracost prints them (github.com/infracost/infracost issue 1354: Standard throughput $21.90 a month for 1 TU, 730 h); azure.cn lists ¥0.19 per TU-hour (read 2026-12-05)',
    asOf: '2026-12-05',
    unverified: true,
  },
  eventHubsMillionEvents: {
    usd: 0.028,
    unit: 'million ingress events (64 KB units), Event Hubs Standard',
    source:
      'Azure Retail Prices as Infracost prints them (github.com/infracost/infracost issue 1354: "Ingress event (Standard) $0.028 per 1M events"); azure.cn lists ¥0.18 per million (read 2026-12-05)',
    asOf: '2026-12-05',
    unverified: true,
  },
  sentinelAnalyticsGb: {
    usd: 4.0,
    unit: 'GB ingested into the Microsoft Sentinel analytics tier (Sentinel + Log Analytics, pay-as-you-go)',
    source:
      'headland.pages.dev "hybrid log ingestion costs" (2025): "analytics ingest runs roughly $4 to $5.50 per GB"; the low end is used',
    asOf: '2025',
    unverified: true,
  },
} as const satisfies Record<string, Price>;
