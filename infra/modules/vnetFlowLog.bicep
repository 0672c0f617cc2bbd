// A virtual network flow log written to the flow-log storage account, under the region's Network
// Watcher (deployed into the watcher's resource group, NetworkWatcherRG by default). The network,
// the watcher and the account must be in one region. VNet flow logs replace NSG flow logs, which
// cannot be created after 30 June 2025 and are retired on 30 September 2027 (docs/flow-logs.md).

@description('Name of the region\'s Network Watcher (in this resource group), e.g. NetworkWatcher_westeurope.')
param networkWatcherName string

@description('Name of the flow log.')
param flowLogName string

@description('Region of the network, the watcher and the storage account.')
param location string

@description('Resource id of the virtual network to log.')
param virtualNetworkId string

@description('Resource id of the flow-log storage account.')
param storageAccountId string

@description('Days the blobs are kept; 0 keeps them.')
@minValue(0)
@maxValue(365)
param retentionDays int

@description('Tags of the flow log.')
param tags resourceInput<'Microsoft.Network/networkWatchers/flowLogs@2025-05-01'>.tags

resource watcher 'Microsoft.Network/networkWatchers@2025-05-01' existing = {
  name: networkWatcherName
}

resource flowLog 'Microsoft.Network/networkWatchers/flowLogs@2025-05-01' = {
  parent: watcher
  name: flowLogName
  location: location
  tags: tags
  properties: {
    targetResourceId: virtualNetworkId
    storageId: storageAccountId
    enabled: true
    format: {
      type: 'JSON'
      version: 2
    }
    retentionPolicy: {
      days: retentionDays
      enabled: retentionDays > 0
    }
  }
}

@description('Resource id of the flow log.')
output id string = flowLog.id
