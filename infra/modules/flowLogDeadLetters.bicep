// Where Event Grid dead-letters the flow-log events it could not deliver to the flowLogs function
// (after its retries, or at once on a 400): a container of the detector's storage account, written
// by the flow-log system topic's identity and by nothing else (docs/flow-logs.md).

@description('Name of the detector\'s storage account.')
param storageAccountName string

@description('Name of the dead-letter container.')
param containerName string

@description('Object id of the flow-log system topic\'s system-assigned identity.')
param systemTopicPrincipalId string

@description('Resource id of the system topic; it makes the role assignment name stable.')
param systemTopicId string

@description('Storage Blob Data Contributor')
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: storage::blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

// Scoped to the container: the topic can write dead letters and read nothing else.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, systemTopicId, storageBlobDataContributor)
  scope: container
  properties: {
    // Storage Blob Data Contributor
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: systemTopicPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the storage account holding the container.')
output storageAccountId string = storage.id

@description('Name of the dead-letter container.')
output containerName string = container.name
