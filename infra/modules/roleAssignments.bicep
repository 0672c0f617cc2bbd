// Least-privilege data-plane roles of the Function App's user-assigned identity on the resources
// of this resource group, and the read roles of the optional smoke-test principal (`portscan
// smoke`). The Event Hubs roles sit on the hub, in eventHubAccess.bicep.

import { roleIds } from 'types.bicep'

@description('Object id of the Function App\'s user-assigned identity.')
param principalId string

@description('Name of that identity (in this resource group); its resource id makes the role assignment names stable.')
param identityName string

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the alert queue (it must exist: storage.bicep creates it).')
param alertQueueName string

@description('Table name prefix; the smoke-test principal reads <prefix>Windows, <prefix>Control and <prefix>Outbox.')
param tablePrefix string

@description('Object id of the principal that runs `portscan smoke` (a user, group or service principal); empty: none.')
param smokeTestPrincipalId string

@description('Kind of that principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param smokeTestPrincipalType string

@description('Name of the Key Vault.')
param keyVaultName string

@description('Name of the Application Insights component.')
param appInsightsName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource alertQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-06-01' existing = {
  name: '${storageAccountName}/default/${alertQueueName}'
}

@description('Tables `portscan smoke` reads: the window state (ingest works), the closer\'s position and progress, and the outbox (closing works, and why not). Not the dead letters: they hold fragments of log lines.')
var smokeTableSuffixes = [
  'Windows'
  'Control'
  'Outbox'
]

resource smokeTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' existing = [
  for suffix in smokeTableSuffixes: {
    name: '${storageAccountName}/default/${tablePrefix}${suffix}'
  }
]

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Host storage (timer leases, Event Hubs checkpoints) and the Flex deployment package.
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    // Storage Blob Data Owner
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Window state, control rows, outbox and dead letters.
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    // Storage Table Data Contributor
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.storageTableDataContributor
    )
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The alert queue: send only, on that queue only. The template creates the queue; the sink never
// does with this identity. The Functions host needs no queue (its Event Hubs, timer and Event Grid
// triggers keep their state in blobs).
resource queueMessageSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(alertQueue.id, identity.id, roleIds.storageQueueDataMessageSender)
  scope: alertQueue
  properties: {
    // Storage Queue Data Message Sender
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.storageQueueDataMessageSender
    )
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault references of the sink settings.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roleIds.keyVaultSecretsUser)
  scope: vault
  properties: {
    // Key Vault Secrets User
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry with Entra authentication (local auth is off on the component).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    // Monitoring Metrics Publisher
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.monitoringMetricsPublisher
    )
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// `portscan smoke` reads the window rows of its test source (ingest works), the closer's position
// and its alert's outbox record ...
resource smokeTableReaders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (suffix, i) in smokeTableSuffixes: if (!empty(smokeTestPrincipalId)) {
    name: guid(smokeTables[i].id, smokeTestPrincipalId, roleIds.storageTableDataReader)
    scope: smokeTables[i]
    properties: {
      // Storage Table Data Reader
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataReader)
      principalId: smokeTestPrincipalId
      principalType: smokeTestPrincipalType
    }
  }
]

// ... and peeks at the alert queue for its alert (closing works).
resource smokeQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(smokeTestPrincipalId)) {
  name: guid(alertQueue.id, smokeTestPrincipalId, roleIds.storageQueueDataReader)
  scope: alertQueue
  properties: {
    // Storage Queue Data Reader
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataReader)
    principalId: smokeTestPrincipalId
    principalType: smokeTestPrincipalType
  }
}
