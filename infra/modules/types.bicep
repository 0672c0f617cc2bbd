// Types and constants shared by main.bicep and its modules (compile-time imports, no resources).

@export()
@description('Detection knobs written as PORTSCAN_* app settings (lib/config/detectionSettings.ts). Leave a field out to keep the rule file default.')
type detectionSettingsType = {
  @description('PORTSCAN_MODE: "default" or "sentinel-parity".')
  mode: ('default' | 'sentinel-parity')?

  @description('PORTSCAN_THRESHOLD: alert when the distinct port count of a source in a bin is greater than this.')
  @minValue(1)
  @maxValue(65535)
  threshold: int?

  @description('PORTSCAN_BIN_MINUTES: bin width in minutes (a divisor of 60).')
  binMinutes: (1 | 2 | 3 | 4 | 5 | 6 | 10 | 12 | 15 | 20 | 30 | 60)?

  @description('PORTSCAN_ATTEMPTED_PORTS_LIMIT: ports listed per alert.')
  @minValue(1)
  @maxValue(65536)
  attemptedPortsLimit: int?

  @description('PORTSCAN_REPORTED_BY_LIMIT: reporting devices listed per alert.')
  @minValue(1)
  @maxValue(64)
  reportedByLimit: int?

  @description('PORTSCAN_EXCLUDE_CIDRS: source addresses or CIDRs that never count.')
  excludeCidrs: string[]?

  @description('PORTSCAN_SEVERITY: severity written on alerts.')
  severity: ('Informational' | 'Low' | 'Medium' | 'High')?

  @description('PORTSCAN_ALLOWED_LATENESS_MINUTES: how long after a bin ends it is closed.')
  @minValue(0)
  @maxValue(1440)
  allowedLatenessMinutes: int?

  @description('PORTSCAN_RETENTION_HOURS: how long bin state is kept for late events.')
  @minValue(1)
  @maxValue(8760)
  retentionHours: int?

  @description('PORTSCAN_CHAT_GROUP_HOURS: hours a source\'s alerts make one conversation in Teams and Slack (0: a card for every alert).')
  @minValue(0)
  @maxValue(168)
  chatGroupHours: int?
}

@export()
@description('Names of the Key Vault secrets that hold the alert sink URLs and the webhook signing secret.')
var sinkSecretNames = {
  teamsUrl: 'portscan-sink-teams-url'
  slackUrl: 'portscan-sink-slack-url'
  webhookUrl: 'portscan-sink-webhook-url'
  webhookSigningSecret: 'portscan-sink-webhook-secret'
}

@export()
@description('Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).')
var roleIds = {
  // Storage Blob Data Owner
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Storage Table Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Storage Queue Data Message Sender
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  // Storage Queue Data Reader
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  // Storage Table Data Reader
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  // Azure Event Hubs Data Receiver
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  // Azure Event Hubs Data Sender
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  // Key Vault Secrets User
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // Monitoring Metrics Publisher
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
