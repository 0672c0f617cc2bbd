// Points an existing Azure Firewall's diagnostic settings at the flow-log hub. Deploy it into the
// firewall's resource group (main.bicep does so for every id in firewallResourceIds), or on its own:
//
//   az deployment group create -g <firewall-rg> -f infra/modules/diagnosticsToEventHub.bicep \
//     -p firewallName=<name> \
//        eventHubAuthorizationRuleId=$(azd env get-value EVENT_HUB_DIAGNOSTICS_RULE_ID) \
//        eventHubName=$(azd env get-value EVENT_HUB_NAME)
//
// The hub must be in the firewall's region. Whoever deploys this needs
// Microsoft.EventHub/namespaces/authorizationRules/listkeys/action on the rule (for example
// Azure Event Hubs Data Owner on the namespace); Azure Monitor, not this template, uses the key.
// Other resource types work the same way: change the `existing` resource and the categories.

@description('Name of the Azure Firewall, in this resource group.')
param firewallName string

@description('Resource id of the Event Hubs namespace SAS rule with Listen, Send and Manage (main.bicep output EVENT_HUB_DIAGNOSTICS_RULE_ID).')
param eventHubAuthorizationRuleId string

@description('Name of the flow-log hub (main.bicep output EVENT_HUB_NAME).')
param eventHubName string

@description('Name of the diagnostic setting (a resource has at most five).')
param settingName string = 'portscan-detector'

@description('Log categories to send. The detector decodes AZFWNetworkRule, AZFWNatRule, AZFWThreatIntel and the legacy AzureFirewallNetworkRule; others are recognized and skipped.')
param categories string[] = [
  'AZFWNetworkRule'
  'AZFWNatRule'
  'AZFWThreatIntel'
]

resource firewall 'Microsoft.Network/azureFirewalls@2026-03-01' existing = {
  name: firewallName
}

// 2021-05-01-preview is the newest version with eventHubName; the newest stable one (2016-09-01)
// has no eventHubName and would make Azure Monitor create one insights-logs-<category> hub per category.
#disable-next-line use-recent-api-versions
resource toEventHub 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: firewall
  properties: {
    eventHubAuthorizationRuleId: eventHubAuthorizationRuleId
    eventHubName: eventHubName
    logs: [
      for category in categories: {
        category: category
        enabled: true
      }
    ]
  }
}

@description('Resource id of the diagnostic setting.')
output id string = toEventHub.id
