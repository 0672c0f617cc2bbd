// An Azure Monitor workbook over the detector's own logs in Application Insights: alerts by bin,
// top scanners, ports reached, suppressed alerts, and the pipeline's health (records per source,
// records not decodable, event-time lag per partition and per flow-log blob, closing runs, late
// events, deliveries and parked alerts, warnings and errors). Its definition is the JSON file
// infra/workbooks/portscan.workbook.json (docs/operations.md shows it); the queries read the JSON
// trace messages of functions/shared/composition.ts (contextLogger). The file's placeholder
// __APPLICATION_INSIGHTS_ID__ becomes the component's id, the resource the workbook opens on.

@description('Azure region of the workbook (the region of Application Insights).')
param location string

@description('Tags applied to the workbook.')
param tags resourceInput<'Microsoft.Insights/workbooks@2023-06-01'>.tags

@description('Name of the Application Insights component the workbook queries.')
param appInsightsName string

@description('Name of the workbook in the Azure portal; unique among the shared workbooks of the resource group.')
param displayName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; this one is stable, so a redeployment updates it in place.
  name: guid(resourceGroup().id, appInsights.id, 'portscan-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: replace(
      loadTextContent('../workbooks/portscan.workbook.json'),
      '__APPLICATION_INSIGHTS_ID__',
      appInsights.id
    )
  }
}

@description('Resource id of the workbook.')
output workbookId string = workbook.id
