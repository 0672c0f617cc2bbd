// The Function App on the Flex Consumption plan (FC1, Linux, Node 22) with its user-assigned
// identity, and every app setting the code and the Functions host read (lib/config/appSettings.ts,
// checked by test/unit/infra/contract.test.ts). All connections are identity-based; no setting
// holds a key or a connection string. Sink URLs and the signing secret are Key Vault references.
// Flex rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENT*, SCM_DO_BUILD_DURING_DEPLOYMENT, ENABLE_ORYX_BUILD, WEBSITE_TIME_ZONE and TZ:
// the runtime is declared in functionAppConfig.runtime and schedules run in UTC.

import { detectionSettingsType, sinkSecretNames } from 'types.bicep'

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App.')
param appName string

@description('Azure region.')
param location string

@description('Tags of the plan.')
param tags resourceInput<'Microsoft.Web/sites@2025-03-01'>.tags

@description('Tags of the Function App; azd finds the app by its azd-service-name tag.')
param siteTags resourceInput<'Microsoft.Web/sites@2025-03-01'>.tags

@description('Name of the user-assigned identity the app runs as.')
param identityName string

@description('Name of the storage account (host storage, deployment container, tables, queue).')
param storageAccountName string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Name of the Key Vault holding the sink secrets.')
param keyVaultName string

@description('Subscription of the Event Hubs namespace.')
param eventHubSubscriptionId string

@description('Resource group of the Event Hubs namespace.')
param eventHubResourceGroupName string

@description('Name of the Event Hubs namespace.')
param eventHubNamespaceName string

@description('Name of the flow-log event hub (PORTSCAN_EVENTHUB_NAME).')
param eventHubName string

@description('Consumer group of the ingest function (PORTSCAN_EVENTHUB_CONSUMER_GROUP).')
param consumerGroupName string

@description('Table name prefix (PORTSCAN_TABLE_PREFIX).')
param tablePrefix string

@description('Alert queue name (PORTSCAN_ALERT_QUEUE).')
param alertQueueName string

@description('Six-field NCRONTAB schedule of closeBins, in UTC (PORTSCAN_CLOSE_SCHEDULE).')
param closeSchedule string

@description('https URL template of the cards\' open-link action (PORTSCAN_ALERT_LINK_TEMPLATE); empty: no link.')
param alertLinkTemplate string

@description('Detection knobs; a field left out keeps the rule default.')
param detection detectionSettingsType

@description('True when the Teams webhook URL secret exists in the vault.')
param hasTeamsSink bool

@description('True when the Slack webhook URL secret exists in the vault.')
param hasSlackSink bool

@description('True when the generic webhook URL secret exists in the vault.')
param hasWebhookSink bool

@description('True when the generic webhook signing secret exists in the vault.')
param hasWebhookSigningSecret bool

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app scales out to. Event Hubs scale-out is also capped by the partition count.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Blob endpoint of the flow-log storage account (FlowLogStorage__blobServiceUri); empty: no flow logs.')
param flowLogBlobEndpoint string = ''

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2026-01-01' existing = {
  name: eventHubNamespaceName
  scope: resourceGroup(eventHubSubscriptionId, eventHubResourceGroupName)
}

@description('Host name of the namespace, from its serviceBusEndpoint (https://<name>.servicebus.windows.net:443/ in the public cloud).')
var eventHubFullyQualifiedNamespace = split(
  split(replace(eventHubNamespace.properties.serviceBusEndpoint, 'https://', ''), '/')[0],
  ':'
)[0]

@description('Versionless Key Vault reference to a secret of the vault (the app picks up new versions).')
var secretReferencePrefix = '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/'

@description('Settings every deployment sets: identity-based connections, telemetry, names and schedule.')
var coreSettings = [
  // Functions host storage: blob (timer leases, Event Hubs checkpoints), queue and table.
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storage.properties.primaryEndpoints.blob
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storage.properties.primaryEndpoints.queue
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storage.properties.primaryEndpoints.table
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identity.properties.clientId
  }
  // Telemetry with Entra authentication; the connection string carries no secret when local auth is off.
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsights.properties.ConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  }
  {
    name: 'AZURE_CLIENT_ID'
    value: identity.properties.clientId
  }
  // The Event Hubs trigger.
  {
    name: 'EventHubConnection__fullyQualifiedNamespace'
    value: eventHubFullyQualifiedNamespace
  }
  {
    name: 'EventHubConnection__credential'
    value: 'managedidentity'
  }
  {
    name: 'EventHubConnection__clientId'
    value: identity.properties.clientId
  }
  {
    name: 'PORTSCAN_EVENTHUB_NAME'
    value: eventHubName
  }
  {
    name: 'PORTSCAN_EVENTHUB_CONSUMER_GROUP'
    value: consumerGroupName
  }
  // Our own table and queue clients.
  {
    name: 'PortscanStorage__tableServiceUri'
    value: storage.properties.primaryEndpoints.table
  }
  {
    name: 'PortscanStorage__queueServiceUri'
    value: storage.properties.primaryEndpoints.queue
  }
  {
    name: 'PortscanStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'PortscanStorage__clientId'
    value: identity.properties.clientId
  }
  {
    name: 'PORTSCAN_TABLE_PREFIX'
    value: tablePrefix
  }
  {
    name: 'PORTSCAN_ALERT_QUEUE'
    value: alertQueueName
  }
  {
    name: 'PORTSCAN_CLOSE_SCHEDULE'
    value: closeSchedule
  }
]

@description('Optional settings, present only when a value is given.')
var optionalSettings = concat(
  empty(alertLinkTemplate)
    ? []
    : [
        {
          name: 'PORTSCAN_ALERT_LINK_TEMPLATE'
          value: alertLinkTemplate
        }
      ],
  detection.?mode == null
    ? []
    : [
        {
          name: 'PORTSCAN_MODE'
          value: detection.?mode
        }
      ],
  detection.?threshold == null
    ? []
    : [
        {
          name: 'PORTSCAN_THRESHOLD'
          value: string(detection.?threshold)
        }
      ],
  detection.?binMinutes == null
    ? []
    : [
        {
          name: 'PORTSCAN_BIN_MINUTES'
          value: string(detection.?binMinutes)
        }
      ],
  detection.?attemptedPortsLimit == null
    ? []
    : [
        {
          name: 'PORTSCAN_ATTEMPTED_PORTS_LIMIT'
          value: string(detection.?attemptedPortsLimit)
        }
      ],
  detection.?reportedByLimit == null
    ? []
    : [
        {
          name: 'PORTSCAN_REPORTED_BY_LIMIT'
          value: string(detection.?reportedByLimit)
        }
      ],
  detection.?excludeCidrs == null
    ? []
    : [
        {
          name: 'PORTSCAN_EXCLUDE_CIDRS'
          value: join(detection.?excludeCidrs ?? [], ',')
        }
      ],
  detection.?severity == null
    ? []
    : [
        {
          name: 'PORTSCAN_SEVERITY'
          value: detection.?severity
        }
      ],
  detection.?allowedLatenessMinutes == null
    ? []
    : [
        {
          name: 'PORTSCAN_ALLOWED_LATENESS_MINUTES'
          value: string(detection.?allowedLatenessMinutes)
        }
      ],
  detection.?retentionHours == null
    ? []
    : [
        {
          name: 'PORTSCAN_RETENTION_HOURS'
          value: string(detection.?retentionHours)
        }
      ],
  detection.?chatGroupHours == null
    ? []
    : [
        {
          name: 'PORTSCAN_CHAT_GROUP_HOURS'
          value: string(detection.?chatGroupHours)
        }
      ]
)

@description('The flowLogs function\'s blob reader (docs/flow-logs.md): identity-based, present only with a flow-log account.')
var flowLogSettings = empty(flowLogBlobEndpoint)
  ? []
  : [
      {
        name: 'FlowLogStorage__blobServiceUri'
        value: flowLogBlobEndpoint
      }
      {
        name: 'FlowLogStorage__credential'
        value: 'managedidentity'
      }
      {
        name: 'FlowLogStorage__clientId'
        value: identity.properties.clientId
      }
    ]

@description('Alert sink settings (PORTSCAN_SINK_<NAME>_KIND|URL|SECRET); URL and SECRET are Key Vault references.')
var sinkSettings = concat(
  hasTeamsSink
    ? [
        {
          name: 'PORTSCAN_SINK_TEAMS_KIND'
          value: 'teams'
        }
        {
          name: 'PORTSCAN_SINK_TEAMS_URL'
          value: '${secretReferencePrefix}${sinkSecretNames.teamsUrl}/)'
        }
      ]
    : [],
  hasSlackSink
    ? [
        {
          name: 'PORTSCAN_SINK_SLACK_KIND'
          value: 'slack'
        }
        {
          name: 'PORTSCAN_SINK_SLACK_URL'
          value: '${secretReferencePrefix}${sinkSecretNames.slackUrl}/)'
        }
      ]
    : [],
  hasWebhookSink
    ? [
        {
          name: 'PORTSCAN_SINK_WEBHOOK_KIND'
          value: 'webhook'
        }
        {
          name: 'PORTSCAN_SINK_WEBHOOK_URL'
          value: '${secretReferencePrefix}${sinkSecretNames.webhookUrl}/)'
        }
      ]
    : [],
  hasWebhookSigningSecret
    ? [
        {
          name: 'PORTSCAN_SINK_WEBHOOK_SECRET'
          value: '${secretReferencePrefix}${sinkSecretNames.webhookSigningSecret}/)'
        }
      ]
    : []
)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: siteTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat(coreSettings, optionalSettings, sinkSettings, flowLogSettings)
    }
  }
}

// Deployments (azd, Core Tools) authenticate with Entra ID; no publishing passwords.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the Function App.')
output name string = site.name

@description('Default host name of the Function App.')
output defaultHostName string = site.properties.defaultHostName
