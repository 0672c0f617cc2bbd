// Everything the system needs on the flow-log hub, new or existing, deployed into the hub's own
// resource group: the ingest function's consumer group, the namespace SAS rule Azure Monitor
// diagnostic settings send through, and the identity's Azure Event Hubs Data Receiver role,
// scoped to the hub (not the namespace); with a smoke-test principal, its Azure Event Hubs Data
// Sender role on the hub (`portscan smoke` sends its synthetic scan there).

import { roleIds } from 'types.bicep'

@description('Name of the Event Hubs namespace (it must exist).')
param namespaceName string

@description('Name of the event hub (it must exist).')
param eventHubName string

@description('Consumer group of the ingest function; "$Default" uses the built-in group and creates nothing.')
@minLength(1)
@maxLength(50)
param consumerGroupName string

@description('Name of the namespace SAS rule (Listen, Send, Manage) for diagnostic settings; empty creates none.')
param diagnosticsRuleName string

@description('Object id of the Function App\'s user-assigned identity.')
param principalId string

@description('Name of that identity; its resource id makes the role assignment name stable.')
param identityName string

@description('Subscription of that identity (the deployment\'s subscription, which may differ from the hub\'s).')
param identitySubscriptionId string

@description('Resource group of that identity (the system\'s resource group).')
param identityResourceGroupName string

@description('Object id of the principal that runs `portscan smoke`; empty: none.')
param smokeTestPrincipalId string

@description('Kind of that principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param smokeTestPrincipalType string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
  scope: resourceGroup(identitySubscriptionId, identityResourceGroupName)
}

resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' existing = {
  name: namespaceName
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' existing = {
  parent: namespace
  name: eventHubName
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2026-01-01' = if (consumerGroupName != '$Default') {
  parent: hub
  name: consumerGroupName
  properties: {
    userMetadata: 'Port-scan detector: ingest function'
  }
}

// Azure Monitor diagnostic settings accept only a namespace-level SAS rule with these three
// rights. The template never reads its keys; whoever creates a diagnostic setting needs
// Microsoft.EventHub/namespaces/authorizationRules/listkeys/action on it.
resource diagnosticsRule 'Microsoft.EventHub/namespaces/authorizationRules@2026-01-01' = if (!empty(diagnosticsRuleName)) {
  parent: namespace
  name: empty(diagnosticsRuleName) ? 'unused' : diagnosticsRuleName
  properties: {
    rights: [
      'Listen'
      'Send'
      'Manage'
    ]
  }
}

resource receiverRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, identity.id, roleIds.eventHubsDataReceiver)
  scope: hub
  properties: {
    // Azure Event Hubs Data Receiver
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.eventHubsDataReceiver)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource smokeSenderRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(smokeTestPrincipalId)) {
  name: guid(hub.id, smokeTestPrincipalId, roleIds.eventHubsDataSender)
  scope: hub
  properties: {
    // Azure Event Hubs Data Sender
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.eventHubsDataSender)
    principalId: smokeTestPrincipalId
    principalType: smokeTestPrincipalType
  }
}

@description('Consumer group the ingest function reads.')
output consumerGroupName string = consumerGroupName
