// The flow-log storage account's side of the flowLogs function (docs/flow-logs.md), deployed into
// the account's resource group: Storage Blob Data Reader on the account for the Function App's
// identity (its only role there), and the account's Event Grid system topic, with a
// system-assigned identity that dead-letters undeliverable events. Azure allows one system topic
// per account: give the name of the existing one, if any, and it is updated in place.

@description('Name of the existing storage account Network Watcher writes flow logs to (in this resource group).')
param storageAccountName string

@description('Object id of the Function App\'s user-assigned identity.')
param principalId string

@description('Resource id of that identity; it makes the role assignment name stable.')
param identityId string

@description('Name of the account\'s Event Grid system topic (created, or updated if it exists).')
param systemTopicName string

@description('Region of the storage account: a system topic lives in its source\'s region.')
param location string

@description('Tags of the system topic.')
param tags resourceInput<'Microsoft.EventGrid/systemTopics@2025-02-15'>.tags

@description('Storage Blob Data Reader')
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

// The blobs the flowLogs function reads: read only, this account only.
resource blobDataReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, identityId, storageBlobDataReader)
  scope: account
  properties: {
    // Storage Blob Data Reader
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

@description('Blob endpoint of the account (FlowLogStorage__blobServiceUri).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Name of the system topic.')
output systemTopicName string = systemTopic.name

@description('Object id of the system topic\'s identity (it writes dead-lettered events).')
output systemTopicPrincipalId string = systemTopic.identity.principalId
