// Key Vault for the alert sinks' webhook URLs and the generic webhook's signing secret. RBAC
// authorization only (no access policies); the Function App reads the secrets through Key Vault
// references with its user-assigned identity (Key Vault Secrets User, roleAssignments.bicep).
// A secret is created only when its value is given.

import { sinkSecretNames } from 'types.bicep'

@description('Name of the vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags resourceInput<'Microsoft.KeyVault/vaults@2026-05-15'>.tags

@description('Days a deleted vault or secret can be recovered (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Purge protection: once on it cannot be turned off, and `azd down --purge` can no longer purge the vault.')
param enablePurgeProtection bool

@description('Teams Workflows webhook URL (a secret: its sig= parameter authorizes posting). Empty: no Teams sink.')
@secure()
param teamsWebhookUrl string

@description('Slack incoming-webhook URL (a secret). Empty: no Slack sink.')
@secure()
param slackWebhookUrl string

@description('Generic webhook URL (a secret). Empty: no generic webhook sink.')
@secure()
param webhookUrl string

@description('Standard Webhooks signing secret of the generic webhook, "whsec_<base64>". Empty: none.')
@secure()
param webhookSigningSecret string

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The service rejects an explicit false; leaving the property out means "off".
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource teamsUrlSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(teamsWebhookUrl)) {
  parent: vault
  name: sinkSecretNames.teamsUrl
  properties: {
    value: teamsWebhookUrl
    contentType: 'text/uri-list'
  }
}

resource slackUrlSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(slackWebhookUrl)) {
  parent: vault
  name: sinkSecretNames.slackUrl
  properties: {
    value: slackWebhookUrl
    contentType: 'text/uri-list'
  }
}

resource webhookUrlSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(webhookUrl)) {
  parent: vault
  name: sinkSecretNames.webhookUrl
  properties: {
    value: webhookUrl
    contentType: 'text/uri-list'
  }
}

resource webhookSigningSecretSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(webhookSigningSecret)) {
  parent: vault
  name: sinkSecretNames.webhookSigningSecret
  properties: {
    value: webhookSigningSecret
    contentType: 'text/plain'
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Resource id of the vault.')
output id string = vault.id
