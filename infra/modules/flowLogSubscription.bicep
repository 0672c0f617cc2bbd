// The Event Grid subscription that triggers the flowLogs function (docs/flow-logs.md): BlobCreated
// events of the two flow-log containers only, one event per delivery, Event Grid's default retry
// (30 attempts within 24 hours), then dead-lettering with the topic's identity. The endpoint is
// the function itself (endpoint type AzureFunction), so no function key appears anywhere; the
// function must exist, which is why main.bicep creates this only once the code is deployed.

@description('Name of the flow-log account\'s system topic (in this resource group).')
param systemTopicName string

@description('Resource id of the flowLogs function (…/sites/<app>/functions/flowLogs).')
param functionResourceId string

@description('Resource id of the storage account holding the dead-letter container.')
param deadLetterStorageAccountId string

@description('Name of the dead-letter container.')
param deadLetterContainerName string

@description('The containers Network Watcher writes flow logs to (VNet, NSG).')
var flowLogContainers = [
  'insights-logs-flowlogflowevent'
  'insights-logs-networksecuritygroupflowevent'
]

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'portscan-flowlogs'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: functionResourceId
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectEndsWith: '/PT1H.json'
      advancedFilters: [
        {
          operatorType: 'StringBeginsWith'
          key: 'subject'
          values: [for c in flowLogContainers: '/blobServices/default/containers/${c}/blobs/']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

@description('Name of the event subscription.')
output name string = subscription.name
