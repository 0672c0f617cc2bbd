// The one storage account of the system: Functions host storage (blob leases and Event Hubs
// checkpoints), the Flex Consumption deployment container, the window-state, control, outbox
// and dead-letter tables, and the alert queue. Shared-key access is disabled: every client
// authenticates with Microsoft Entra ID.

@description('Name of the storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags resourceInput<'Microsoft.Storage/storageAccounts@2026-06-01'>.tags

@description('Replication of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Blob container holding the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Table name prefix (PORTSCAN_TABLE_PREFIX); the code uses <prefix>Windows, <prefix>Control, <prefix>Outbox and <prefix>DeadLetters.')
param tablePrefix string

@description('Name of the alert queue (PORTSCAN_ALERT_QUEUE).')
param alertQueueName string

@description('Table suffixes the code appends to the prefix (lib/state: window state, control rows, alert outbox, dead letters).')
var tableSuffixes = [
  'Windows'
  'Control'
  'Outbox'
  'DeadLetters'
]

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-06-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = [
  for suffix in tableSuffixes: {
    parent: tableService
    name: '${tablePrefix}${suffix}'
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-06-01' = {
  parent: account
  name: 'default'
}

resource alertQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-06-01' = {
  parent: queueService
  name: alertQueueName
}

@description('Name of the storage account.')
output name string = account.name

@description('Resource id of the storage account.')
output id string = account.id

@description('Name of the deployment container.')
output deploymentContainerName string = deploymentContainer.name

@description('Names of the tables created.')
output tableNames string[] = [for (suffix, i) in tableSuffixes: tables[i].name]

@description('Name of the alert queue.')
output alertQueueName string = alertQueue.name
