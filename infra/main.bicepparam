// Parameters of main.bicep. `azd up` reads this file and takes the values from the azd
// environment (`azd env set NAME value`, stored in .azure/<env>/.env); `az deployment sub create
// --parameters infra/main.bicepparam` takes them from the shell's environment. Secrets are never
// written here: the sink URLs and the signing secret come from environment variables and go
// straight into Key Vault. Every parameter not listed keeps its default in main.bicep.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')
param location = readEnvironmentVariable('AZURE_LOCATION')
param resourceGroupName = readEnvironmentVariable('AZURE_RESOURCE_GROUP', '')

// Function App
// Instance memory is one of 512, 2048, 4096: edit the literal (an environment variable would lose that type).
param functionInstanceMemoryMB = 2048
param functionMaximumInstanceCount = int(readEnvironmentVariable('PORTSCAN_MAXIMUM_INSTANCE_COUNT', '40'))
param closeSchedule = readEnvironmentVariable('PORTSCAN_CLOSE_SCHEDULE', '0 5 * * * *')
param alertLinkTemplate = readEnvironmentVariable('PORTSCAN_ALERT_LINK_TEMPLATE', '')
// JSON object, e.g. {"threshold":30,"excludeCidrs":["10.0.0.0/8"]} (see detectionSettingsType).
param detection = json(readEnvironmentVariable('PORTSCAN_DETECTION', '{}'))

// Event Hubs: a new namespace and hub, or an existing hub by resource id.
param existingEventHubResourceId = readEnvironmentVariable('PORTSCAN_EXISTING_EVENTHUB_ID', '')
param eventHubSku = readEnvironmentVariable('PORTSCAN_EVENTHUB_SKU', 'Standard')
param eventHubRetentionHours = int(readEnvironmentVariable('PORTSCAN_EVENTHUB_RETENTION_HOURS', '24'))
param eventHubPartitionCount = int(readEnvironmentVariable('PORTSCAN_EVENTHUB_PARTITIONS', '4'))
param eventHubCapacity = int(readEnvironmentVariable('PORTSCAN_EVENTHUB_THROUGHPUT_UNITS', '1'))
param eventHubAutoInflateMaximumThroughputUnits = int(readEnvironmentVariable('PORTSCAN_EVENTHUB_MAX_THROUGHPUT_UNITS', '0'))
param eventHubConsumerGroupName = readEnvironmentVariable('PORTSCAN_EVENTHUB_CONSUMER_GROUP', 'portscan-ingest')
param diagnosticsAuthorizationRuleName = readEnvironmentVariable('PORTSCAN_DIAGNOSTICS_RULE_NAME', 'azure-monitor-diagnostics')
// Resource id of an existing Listen/Send/Manage rule of the hub's namespace to use instead of creating one.
param existingDiagnosticsAuthorizationRuleId = readEnvironmentVariable('PORTSCAN_DIAGNOSTICS_RULE_ID', '')
// JSON array of Azure Firewall resource ids whose diagnostic settings should send to the hub.
param firewallResourceIds = json(readEnvironmentVariable('PORTSCAN_FIREWALL_IDS', '[]'))

// VNet and NSG flow logs from Storage (docs/flow-logs.md). PORTSCAN_FLOW_LOG_EVENTS=true once the
// code is deployed (the Event Grid subscription needs the flowLogs function to exist).
param flowLogStorageAccountId = readEnvironmentVariable('PORTSCAN_FLOW_LOG_STORAGE_ID', '')
param flowLogEventSubscription = bool(readEnvironmentVariable('PORTSCAN_FLOW_LOG_EVENTS', 'false'))
param flowLogStorageLocation = readEnvironmentVariable('PORTSCAN_FLOW_LOG_LOCATION', '')
param flowLogSystemTopicName = readEnvironmentVariable('PORTSCAN_FLOW_LOG_SYSTEM_TOPIC', '')
param flowLogVirtualNetworkId = readEnvironmentVariable('PORTSCAN_FLOW_LOG_VNET_ID', '')
param flowLogNetworkWatcherId = readEnvironmentVariable('PORTSCAN_FLOW_LOG_NETWORK_WATCHER_ID', '')
param flowLogRetentionDays = int(readEnvironmentVariable('PORTSCAN_FLOW_LOG_RETENTION_DAYS', '7'))

// Key Vault
param keyVaultEnablePurgeProtection = bool(readEnvironmentVariable('PORTSCAN_KEYVAULT_PURGE_PROTECTION', 'false'))

// Alert sinks (secrets; empty leaves the sink out)
param teamsWebhookUrl = readEnvironmentVariable('PORTSCAN_TEAMS_WEBHOOK_URL', '')
param slackWebhookUrl = readEnvironmentVariable('PORTSCAN_SLACK_WEBHOOK_URL', '')
param webhookUrl = readEnvironmentVariable('PORTSCAN_WEBHOOK_URL', '')
param webhookSigningSecret = readEnvironmentVariable('PORTSCAN_WEBHOOK_SECRET', '')

// Azure Monitor alerts
param alertEmail = readEnvironmentVariable('PORTSCAN_ALERT_EMAIL', '')

// Smoke test: the object id of whoever runs `portscan smoke` (a user by default: for a group or a
// service principal, set smokeTestPrincipalType here), e.g. az ad signed-in-user show --query id.
param smokeTestPrincipalId = readEnvironmentVariable('PORTSCAN_SMOKE_PRINCIPAL_ID', '')
