// The whole port-scan detector in one deployment (`azd up`, or `az deployment sub create`):
// a resource group with the Function App on Flex Consumption and its user-assigned identity, one
// storage account (host storage, deployment package, tables, alert queue), Event Hubs (a new
// namespace and hub, or an existing hub), Log Analytics and Application Insights, a Key Vault for
// the alert sinks' secrets, the identity's least-privilege roles and the Azure Monitor alerts.
// No key, connection string or secret appears in a setting or an output. See docs/deployment.md.

targetScope = 'subscription'

import { detectionSettingsType } from 'modules/types.bicep'

// ---------------------------------------------------------------------------------------------
// Environment

@description('azd environment name (AZURE_ENV_NAME); it seeds the resource names and tags every resource.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region of every resource (AZURE_LOCATION). It must offer Flex Consumption, and be the region of the resources whose diagnostic settings feed the hub.')
@minLength(1)
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create or reuse; empty: rg-<environmentName>. `azd down` deletes it with everything in it.')
param resourceGroupName string = ''

// ---------------------------------------------------------------------------------------------
// Function App

@description('Memory of each Function App instance in MB (Flex Consumption: 512, 2048 or 4096).')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Most instances the Function App scales out to (Flex Consumption: 40 to 1000). The ingest function never runs on more instances than the hub has partitions.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 40

@description('Six-field NCRONTAB schedule of closeBins, in UTC (PORTSCAN_CLOSE_SCHEDULE).')
param closeSchedule string = '0 5 * * * *'

@description('https URL template for the cards\' open-link action with {{SrcIpAddr}}, {{AlertId}}, {{BinStart}} (PORTSCAN_ALERT_LINK_TEMPLATE); empty: no link.')
param alertLinkTemplate string = ''

@description('Detection knobs written as PORTSCAN_* app settings, e.g. { threshold: 30, excludeCidrs: [ \'10.0.0.0/8\' ] }; a field left out keeps the rule default.')
param detection detectionSettingsType = {}

// ---------------------------------------------------------------------------------------------
// Event Hubs

@description('Resource id of an existing event hub (/subscriptions/…/namespaces/<ns>/eventhubs/<hub>) to read from; empty creates a new namespace and hub.')
param existingEventHubResourceId string = ''

@description('Name of the new hub (ignored with existingEventHubResourceId).')
@minLength(1)
@maxLength(256)
param eventHubName string = 'flowlogs'

@description('Tier of the new namespace.')
@allowed([
  'Standard'
  'Premium'
])
param eventHubSku string = 'Standard'

@description('Throughput units of a new Standard namespace (1 to 40), or processing units of a new Premium one (1, 2, 4, 8 or 16; any other value is refused before anything deploys).')
@minValue(1)
@maxValue(40)
param eventHubCapacity int = 1

@description('Auto-inflate ceiling in throughput units of a new Standard namespace; 0 turns auto-inflate off.')
@minValue(0)
@maxValue(40)
param eventHubAutoInflateMaximumThroughputUnits int = 0

@description('Partitions of the new hub. They cap the ingest function\'s scale-out and cannot be raised later on Standard.')
@minValue(1)
@maxValue(32)
param eventHubPartitionCount int = 4

@description('Hours the new hub keeps events: 1 to 168 on Standard, up to 2160 (90 days) on Premium; more than 168 on Standard is refused before anything deploys.')
@minValue(1)
@maxValue(2160)
param eventHubRetentionHours int = 24

@description('Consumer group of the ingest function, created on the hub; "$Default" uses the built-in group.')
@minLength(1)
@maxLength(50)
param eventHubConsumerGroupName string = 'portscan-ingest'

@description('Name of the namespace SAS rule (Listen, Send, Manage) to create for Azure Monitor diagnostic settings to send through; empty creates none. Ignored with existingDiagnosticsAuthorizationRuleId.')
param diagnosticsAuthorizationRuleName string = 'azure-monitor-diagnostics'

@description('Resource id of an existing SAS rule of the hub\'s namespace (/subscriptions/…/namespaces/<ns>/authorizationRules/<rule>, with Listen, Send and Manage) for diagnostic settings to send through, instead of creating one; empty: none.')
param existingDiagnosticsAuthorizationRuleId string = ''

@description('Resource ids of Azure Firewalls, in the deployment region, whose diagnostic settings should send to the hub. They need a rule to send through (diagnosticsAuthorizationRuleName or existingDiagnosticsAuthorizationRuleId); without one the deployment is refused before anything deploys.')
param firewallResourceIds string[] = []

// ---------------------------------------------------------------------------------------------
// VNet and NSG flow logs from Storage (the flowLogs function; docs/flow-logs.md)

@description('Resource id of the storage account Network Watcher writes VNet/NSG flow logs to (/subscriptions/…/storageAccounts/<name>); empty: no flow logs. The function gets Storage Blob Data Reader on it, and its Event Grid system topic is created.')
param flowLogStorageAccountId string = ''

@description('Subscribe the flowLogs function to the account\'s BlobCreated events. The function must exist: leave false for the first `azd up`, then set true and run `azd provision`.')
param flowLogEventSubscription bool = false

@description('Region of the flow-log storage account (its system topic lives there); empty: the deployment region. Network Watcher writes a network\'s flow logs only to an account in the network\'s region.')
param flowLogStorageLocation string = ''

@description('Name of the flow-log account\'s Event Grid system topic; empty: evgt-flowlogs-<token>. Azure allows one per account: give the existing one\'s name if it has one (it must be in the account\'s resource group).')
param flowLogSystemTopicName string = ''

@description('Resource id of a virtual network to create a VNet flow log for, written to the flow-log account; empty: none. The network, the account and its Network Watcher must be in one region.')
param flowLogVirtualNetworkId string = ''

@description('Resource id of the Network Watcher of the network\'s region; empty: NetworkWatcherRG/NetworkWatcher_<location> in the network\'s subscription.')
param flowLogNetworkWatcherId string = ''

@description('Days the VNet flow log keeps its blobs; 0 keeps them.')
@minValue(0)
@maxValue(365)
param flowLogRetentionDays int = 7

// ---------------------------------------------------------------------------------------------
// Storage, monitoring, Key Vault

@description('Replication of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Table name prefix (PORTSCAN_TABLE_PREFIX): letters and digits, starting with a letter.')
@minLength(1)
@maxLength(41)
param tablePrefix string = 'Portscan'

@description('Name of the alert queue (PORTSCAN_ALERT_QUEUE).')
@minLength(3)
@maxLength(63)
param alertQueueName string = 'portscan-alerts'

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Daily ingestion cap of the Log Analytics workspace in GB; -1 means no cap.')
param logDailyQuotaGb int = -1

@description('Days a deleted Key Vault or secret can be recovered (7 to 90).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 7

@description('Key Vault purge protection. Irreversible once on, and `azd down --purge` then leaves the vault name reserved for the retention period.')
param keyVaultEnablePurgeProtection bool = false

// ---------------------------------------------------------------------------------------------
// Alert sinks (secrets: stored in Key Vault, read by the app through Key Vault references)

@description('Teams Workflows webhook URL ("When a Teams webhook request is received"); empty: no Teams sink.')
@secure()
param teamsWebhookUrl string = ''

@description('Slack incoming-webhook URL; empty: no Slack sink.')
@secure()
param slackWebhookUrl string = ''

@description('Generic webhook URL, signed with Standard Webhooks headers; empty: no generic sink.')
@secure()
param webhookUrl string = ''

@description('Standard Webhooks signing secret of the generic webhook ("whsec_" + base64 of 24 to 64 bytes); required with webhookUrl.')
@secure()
param webhookSigningSecret string = ''

// ---------------------------------------------------------------------------------------------
// Azure Monitor alerts

@description('E-mail address the alert rules notify through an action group; empty: alerts show in Azure Monitor only.')
param alertEmail string = ''

@description('Failed ingest invocations within 15 minutes that raise an alert.')
@minValue(1)
param ingestFailureThreshold int = 5

@description('Failed closeBins invocations within 3 hours that raise an alert.')
@minValue(1)
param closeBinsFailureThreshold int = 2

@description('Failed flowLogs invocations within 15 minutes that raise an alert (with flowLogStorageAccountId only).')
@minValue(1)
param flowLogsFailureThreshold int = 5

@description('Raise an alert when closeBins logs no summary for 3 hours; turn off if closeSchedule runs less often.')
param alertOnCloseBinsSilence bool = true

// ---------------------------------------------------------------------------------------------
// Smoke test (`portscan smoke`, docs/deployment.md#smoke-test-roles)

@description('Object id of the user, group or service principal that runs `portscan smoke`; empty: none. It gets Azure Event Hubs Data Sender on the hub, Storage Table Data Reader on the window-state, control and outbox tables (not the dead letters) and Storage Queue Data Reader on the alert queue, nothing else.')
param smokeTestPrincipalId string = ''

@description('Kind of the smokeTestPrincipalId principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param smokeTestPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------------

@description('Suffix that makes the names unique per subscription, environment and region.')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

@description('Tags on every resource; azd uses azd-env-name to find the environment\'s resources.')
var tags = {
  'azd-env-name': environmentName
}

@description('True when the system reads an existing hub instead of creating one.')
var useExistingEventHub = !empty(existingEventHubResourceId)

@description('Processing units a Premium namespace accepts (learn.microsoft.com/azure/event-hubs/event-hubs-premium-overview).')
var premiumProcessingUnits = [
  1
  2
  4
  8
  16
]

@description('Capacity of a new namespace. One parameter serves both tiers: Standard takes its range (1 to 40 throughput units); a Premium value outside premiumProcessingUnits is refused at validation, before anything deploys, instead of by Event Hubs halfway through.')
var eventHubNamespaceCapacity = !useExistingEventHub && eventHubSku == 'Premium' && !contains(premiumProcessingUnits, eventHubCapacity)
  ? fail('eventHubCapacity (PORTSCAN_EVENTHUB_THROUGHPUT_UNITS) is ${eventHubCapacity}: a Premium namespace takes 1, 2, 4, 8 or 16 processing units.')
  : eventHubCapacity

@description('Retention of a new hub: Standard keeps events at most 168 hours (7 days), Premium 2160 (90 days; learn.microsoft.com/azure/event-hubs/event-hubs-quotas). Refused at validation instead of by Event Hubs halfway through.')
var eventHubRetention = !useExistingEventHub && eventHubSku == 'Standard' && eventHubRetentionHours > 168
  ? fail('eventHubRetentionHours (PORTSCAN_EVENTHUB_RETENTION_HOURS) is ${eventHubRetentionHours}: a Standard namespace keeps events at most 168 hours; set PORTSCAN_EVENTHUB_SKU=Premium for up to 2160.')
  : eventHubRetentionHours

@description('Segments of existingEventHubResourceId: [2] subscription, [4] resource group, [8] namespace, [10] hub.')
var existingEventHubIdParts = split(existingEventHubResourceId, '/')

@description('Where the hub lives and what it is called, for both the new and the existing case.')
var eventHub = {
  subscriptionId: useExistingEventHub ? existingEventHubIdParts[2] : subscription().subscriptionId
  resourceGroupName: useExistingEventHub ? existingEventHubIdParts[4] : names.resourceGroup
  namespaceName: useExistingEventHub ? existingEventHubIdParts[8] : 'evhns-${resourceToken}'
  name: useExistingEventHub ? existingEventHubIdParts[10] : eventHubName
}

@description('Segments of existingDiagnosticsAuthorizationRuleId: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.EventHub/namespaces/<ns>/authorizationRules/<rule>.')
var existingDiagnosticsRuleIdParts = split(existingDiagnosticsAuthorizationRuleId, '/')

@description('What an existing diagnostics rule id must look like, for the message that refuses another.')
var existingDiagnosticsRuleIdExpected = '/subscriptions/${eventHub.subscriptionId}/resourceGroups/${eventHub.resourceGroupName}/providers/Microsoft.EventHub/namespaces/${eventHub.namespaceName}/authorizationRules/<rule>'

@description('The namespace SAS rule diagnostic settings send through, known before deployment (so a bad one is refused at validation); empty when there is none. An existing rule must belong to the hub\'s namespace: a diagnostic setting names the hub within the rule\'s namespace. (Nested conditions, not &&: only a taken branch is evaluated, so a short id never indexes past its end.)')
var diagnosticsRuleId = empty(existingDiagnosticsAuthorizationRuleId)
  ? (empty(diagnosticsAuthorizationRuleName)
      ? ''
      : resourceId(
          eventHub.subscriptionId,
          eventHub.resourceGroupName,
          'Microsoft.EventHub/namespaces/authorizationRules',
          eventHub.namespaceName,
          diagnosticsAuthorizationRuleName
        ))
  : length(existingDiagnosticsRuleIdParts) != 11
      ? fail('existingDiagnosticsAuthorizationRuleId must be the resource id of an authorization rule of the hub\'s namespace, ${existingDiagnosticsRuleIdExpected}; got \'${existingDiagnosticsAuthorizationRuleId}\'.')
      : toLower(join(take(existingDiagnosticsRuleIdParts, 10), '/')) == toLower(replace(existingDiagnosticsRuleIdExpected, '/<rule>', '')) && !empty(existingDiagnosticsRuleIdParts[10])
          ? existingDiagnosticsAuthorizationRuleId
          : fail('existingDiagnosticsAuthorizationRuleId must be the resource id of an authorization rule of the hub\'s namespace, ${existingDiagnosticsRuleIdExpected}; got \'${existingDiagnosticsAuthorizationRuleId}\'.')

@description('The firewalls to wire up. A list without a rule to send through is refused at validation, before anything deploys, instead of failing at the diagnostic settings with an obscure error.')
var firewallsToWire = !empty(diagnosticsRuleId) || empty(firewallResourceIds)
  ? firewallResourceIds
  : fail('firewallResourceIds needs a namespace SAS rule (Listen, Send, Manage) for the diagnostic settings to send through: keep diagnosticsAuthorizationRuleName (PORTSCAN_DIAGNOSTICS_RULE_NAME, default azure-monitor-diagnostics) to create one, or give an existing rule of the hub\'s namespace in existingDiagnosticsAuthorizationRuleId (PORTSCAN_DIAGNOSTICS_RULE_ID).')

@description('True when the flowLogs function reads a flow-log storage account.')
var useFlowLogs = !empty(flowLogStorageAccountId)

@description('Segments of flowLogStorageAccountId: [2] subscription, [4] resource group, [8] account.')
var flowLogStorageIdParts = split(flowLogStorageAccountId, '/')

@description('Segments of flowLogVirtualNetworkId: [2] subscription.')
var flowLogVirtualNetworkIdParts = split(flowLogVirtualNetworkId, '/')

@description('Segments of the Network Watcher id: [2] subscription, [4] resource group, [8] name.')
var networkWatcherIdParts = split(
  empty(flowLogNetworkWatcherId)
    ? '/subscriptions/${empty(flowLogVirtualNetworkId) ? subscription().subscriptionId : flowLogVirtualNetworkIdParts[2]}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_${location}'
    : flowLogNetworkWatcherId,
  '/'
)

@description('Resource names, known before deployment so that What-If can predict every module.')
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  identity: 'id-${resourceToken}'
  workspace: 'log-${resourceToken}'
  appInsights: 'appi-${resourceToken}'
  storage: 'st${resourceToken}'
  deploymentContainer: 'app-package-${take('func-${resourceToken}', 32)}'
  keyVault: 'kv-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
  flowLogSystemTopic: empty(flowLogSystemTopicName) ? 'evgt-flowlogs-${resourceToken}' : flowLogSystemTopicName
  flowLogDeadLetters: 'flowlog-deadletters'
  vnetFlowLog: 'portscan-${environmentName}'
}

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: names.deploymentContainer
    tablePrefix: tablePrefix
    alertQueueName: alertQueueName
  }
}

module eventHubNamespace 'modules/eventHubNamespace.bicep' = if (!useExistingEventHub) {
  scope: rg
  params: {
    namespaceName: eventHub.namespaceName
    eventHubName: eventHub.name
    location: location
    tags: tags
    skuName: eventHubSku
    capacity: eventHubNamespaceCapacity
    autoInflateMaximumThroughputUnits: eventHubAutoInflateMaximumThroughputUnits
    partitionCount: eventHubPartitionCount
    retentionHours: eventHubRetention
  }
}

// Deployed into the hub's resource group; for an existing hub that group is only referenced by
// name, so `azd down` never deletes it (it deletes the resource groups this template creates).
module eventHubAccess 'modules/eventHubAccess.bicep' = {
  scope: resourceGroup(eventHub.subscriptionId, eventHub.resourceGroupName)
  params: {
    namespaceName: eventHub.namespaceName
    eventHubName: eventHub.name
    consumerGroupName: eventHubConsumerGroupName
    diagnosticsRuleName: empty(existingDiagnosticsAuthorizationRuleId) ? diagnosticsAuthorizationRuleName : ''
    principalId: identity.outputs.principalId
    identityName: names.identity
    identitySubscriptionId: subscription().subscriptionId
    identityResourceGroupName: names.resourceGroup
    smokeTestPrincipalId: smokeTestPrincipalId
    smokeTestPrincipalType: smokeTestPrincipalType
  }
  dependsOn: [
    eventHubNamespace
  ]
}

module keyVault 'modules/keyVault.bicep' = {
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    enablePurgeProtection: keyVaultEnablePurgeProtection
    teamsWebhookUrl: teamsWebhookUrl
    slackWebhookUrl: slackWebhookUrl
    webhookUrl: webhookUrl
    webhookSigningSecret: webhookSigningSecret
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    identityName: names.identity
    storageAccountName: names.storage
    alertQueueName: alertQueueName
    tablePrefix: tablePrefix
    keyVaultName: names.keyVault
    appInsightsName: names.appInsights
    smokeTestPrincipalId: smokeTestPrincipalId
    smokeTestPrincipalType: smokeTestPrincipalType
  }
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

// The flow-log account's side, in its own resource group: the reader role and the system topic.
module flowLogSource 'modules/flowLogSource.bicep' = if (useFlowLogs) {
  scope: resourceGroup(flowLogStorageIdParts[2], flowLogStorageIdParts[4])
  params: {
    storageAccountName: flowLogStorageIdParts[8]
    principalId: identity.outputs.principalId
    identityId: resourceId(
      subscription().subscriptionId,
      names.resourceGroup,
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      names.identity
    )
    systemTopicName: names.flowLogSystemTopic
    location: empty(flowLogStorageLocation) ? location : flowLogStorageLocation
    tags: tags
  }
}

module flowLogDeadLetters 'modules/flowLogDeadLetters.bicep' = if (useFlowLogs) {
  scope: rg
  params: {
    storageAccountName: names.storage
    containerName: names.flowLogDeadLetters
    systemTopicPrincipalId: flowLogSource!.outputs.systemTopicPrincipalId
    systemTopicId: resourceId(
      flowLogStorageIdParts[2],
      flowLogStorageIdParts[4],
      'Microsoft.EventGrid/systemTopics',
      names.flowLogSystemTopic
    )
  }
  dependsOn: [
    storage
  ]
}

module vnetFlowLog 'modules/vnetFlowLog.bicep' = if (useFlowLogs && !empty(flowLogVirtualNetworkId)) {
  scope: resourceGroup(networkWatcherIdParts[2], networkWatcherIdParts[4])
  params: {
    networkWatcherName: networkWatcherIdParts[8]
    flowLogName: names.vnetFlowLog
    location: location
    virtualNetworkId: flowLogVirtualNetworkId
    storageAccountId: flowLogStorageAccountId
    retentionDays: flowLogRetentionDays
    tags: tags
  }
}

module functionApp 'modules/functionApp.bicep' = {
  scope: rg
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    siteTags: union(tags, {
      'azd-service-name': 'api'
    })
    identityName: names.identity
    storageAccountName: names.storage
    deploymentContainerName: names.deploymentContainer
    appInsightsName: names.appInsights
    keyVaultName: names.keyVault
    eventHubSubscriptionId: eventHub.subscriptionId
    eventHubResourceGroupName: eventHub.resourceGroupName
    eventHubNamespaceName: eventHub.namespaceName
    eventHubName: eventHub.name
    consumerGroupName: eventHubConsumerGroupName
    tablePrefix: tablePrefix
    alertQueueName: alertQueueName
    closeSchedule: closeSchedule
    alertLinkTemplate: alertLinkTemplate
    detection: detection
    hasTeamsSink: !empty(teamsWebhookUrl)
    hasSlackSink: !empty(slackWebhookUrl)
    hasWebhookSink: !empty(webhookUrl)
    hasWebhookSigningSecret: !empty(webhookSigningSecret)
    instanceMemoryMB: functionInstanceMemoryMB
    maximumInstanceCount: functionMaximumInstanceCount
    flowLogBlobEndpoint: useFlowLogs ? flowLogSource!.outputs.blobEndpoint : ''
  }
  // The identity needs its storage, hub, vault and telemetry roles before the host starts.
  dependsOn: [
    roleAssignments
    eventHubAccess
  ]
}

// Needs the function deployed (flowLogEventSubscription): Event Grid checks that its endpoint exists.
module flowLogSubscription 'modules/flowLogSubscription.bicep' = if (useFlowLogs && flowLogEventSubscription) {
  scope: resourceGroup(flowLogStorageIdParts[2], flowLogStorageIdParts[4])
  params: {
    systemTopicName: names.flowLogSystemTopic
    functionResourceId: resourceId(
      subscription().subscriptionId,
      names.resourceGroup,
      'Microsoft.Web/sites/functions',
      names.functionApp,
      'flowLogs'
    )
    deadLetterStorageAccountId: flowLogDeadLetters!.outputs.storageAccountId
    deadLetterContainerName: flowLogDeadLetters!.outputs.containerName
  }
  dependsOn: [
    functionApp
  ]
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    namePrefix: names.functionApp
    appInsightsName: names.appInsights
    alertEmail: alertEmail
    ingestFailureThreshold: ingestFailureThreshold
    closeBinsFailureThreshold: closeBinsFailureThreshold
    alertOnFlowLogsFailures: useFlowLogs
    flowLogsFailureThreshold: flowLogsFailureThreshold
    alertOnCloseBinsSilence: alertOnCloseBinsSilence
  }
  dependsOn: [
    monitoring
  ]
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    appInsightsName: names.appInsights
    displayName: 'Port-scan detector (${environmentName})'
  }
  dependsOn: [
    monitoring
  ]
}

// The loop runs over firewallsToWire, a value known at the start of the deployment (Bicep's
// BCP178 requires it of a loop), so a missing or foreign rule is refused before anything deploys.
module firewallDiagnostics 'modules/diagnosticsToEventHub.bicep' = [
  for firewallId in firewallsToWire: {
    scope: resourceGroup(split(firewallId, '/')[2], split(firewallId, '/')[4])
    params: {
      firewallName: last(split(firewallId, '/'))
      eventHubAuthorizationRuleId: diagnosticsRuleId
      eventHubName: eventHub.name
    }
    // The rule this template creates must exist before a diagnostic setting names it.
    dependsOn: [
      eventHubAccess
    ]
  }
]

@description('Region of the deployment.')
output AZURE_LOCATION string = location

@description('Tenant of the subscription.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Resource group holding the system.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Name of the Function App.')
output FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Event Hubs namespace the ingest function reads.')
output EVENT_HUB_NAMESPACE string = eventHub.namespaceName

@description('Event hub the ingest function reads.')
output EVENT_HUB_NAME string = eventHub.name

@description('Resource id of the SAS rule to select in diagnostic settings (not a key); empty without one.')
output EVENT_HUB_DIAGNOSTICS_RULE_ID string = diagnosticsRuleId

@description('Name of the Key Vault holding the sink secrets.')
output KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the storage account (tables, alert queue).')
output STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName

@description('Event Grid system topic of the flow-log storage account; empty without flow logs.')
output FLOW_LOG_SYSTEM_TOPIC string = useFlowLogs ? names.flowLogSystemTopic : ''

@description('Names of the Azure Monitor alert rules.')
output ALERT_RULE_NAMES string[] = alerts.outputs.ruleNames
