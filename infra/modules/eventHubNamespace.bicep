// A new Event Hubs namespace and the flow-log hub. Local (SAS) authentication stays enabled on
// this namespace: Azure Monitor diagnostic settings can only send through a namespace SAS rule
// (eventHubAccess.bicep creates it). The Function App itself never uses a key; it connects with
// its managed identity.

@description('Name of the Event Hubs namespace.')
param namespaceName string

@description('Name of the event hub that receives the flow logs.')
param eventHubName string

@description('Azure region. Diagnostic settings need the hub in the same region as the resources they export.')
param location string

@description('Tags applied to the namespace.')
param tags resourceInput<'Microsoft.EventHub/namespaces@2026-01-01'>.tags

@description('Namespace tier. Basic allows only the $Default consumer group, so it is not offered.')
@allowed([
  'Standard'
  'Premium'
])
param skuName string

@description('Throughput units (Standard: 1 to 40) or processing units (Premium: 1, 2, 4, 8 or 16; main.bicep refuses others).')
@minValue(1)
@maxValue(40)
param capacity int

@description('Auto-inflate ceiling in throughput units (Standard only); 0 turns auto-inflate off.')
@minValue(0)
@maxValue(40)
param autoInflateMaximumThroughputUnits int

@description('Partitions of the hub. They cap the ingest function\'s scale-out and cannot be raised later on Standard.')
@minValue(1)
@maxValue(32)
param partitionCount int

@description('Hours the hub keeps events (Standard: at most 168; Premium: at most 2160). main.bicep refuses more than 168 on Standard.')
@minValue(1)
@maxValue(2160)
param retentionHours int

@description('True when auto-inflate is requested and the tier supports it.')
var isAutoInflateEnabled = skuName == 'Standard' && autoInflateMaximumThroughputUnits > 0

resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: capacity
  }
  properties: {
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    // Required by Azure Monitor diagnostic settings (SAS rule); see the file header.
    disableLocalAuth: false
    isAutoInflateEnabled: isAutoInflateEnabled
    maximumThroughputUnits: isAutoInflateEnabled ? autoInflateMaximumThroughputUnits : 0
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' = {
  parent: namespace
  name: eventHubName
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}

@description('Name of the namespace.')
output namespaceName string = namespace.name

@description('Name of the hub.')
output eventHubName string = hub.name
