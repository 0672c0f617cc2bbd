// Azure Monitor log alerts on the Function App's Application Insights data:
// - ingest fails repeatedly (failed invocations of the Event Hubs function);
// - closeBins fails repeatedly (failed timer invocations);
// - flowLogs fails repeatedly (failed Event Grid invocations: flow-log blobs not read; only when
//   the deployment reads a flow-log account);
// - the outbox parks alerts (trace "alert parked": a sink refused or failed too long);
// - closeBins stopped reporting (no "close summary" trace: the app does not start, or the timer
//   does not fire; a failing start-up produces no failed invocation at all);
// - something needs the operator at once: a delivery setting is invalid ("configuration invalid":
//   closeBins stops while ingest goes on), or the Event Hubs trigger sent incomplete metadata
//   ("trigger metadata incomplete": batches are counted without redelivery protection).
// The messages are LOG_MESSAGES of lib/observability/Logger.ts; functions/shared/composition.ts
// logs them as the `event` field of a JSON trace message ({"event":"alert parked",…}), and the
// queries also accept a plain message that starts with the phrase. An action group e-mails the
// operator when an address is given; without one the alerts still show in Azure Monitor.

@description('Azure region of the rules (the region of Application Insights).')
param location string

@description('Tags applied to the rules and the action group.')
param tags resourceInput<'Microsoft.Insights/scheduledQueryRules@2026-03-01'>.tags

@description('Name prefix of the rules, e.g. the Function App name.')
param namePrefix string

@description('Name of the Application Insights component the rules query.')
param appInsightsName string

@description('E-mail address notified by the action group; empty creates no action group.')
param alertEmail string

@description('Failed ingest invocations within 15 minutes that raise the alert.')
@minValue(1)
param ingestFailureThreshold int

@description('Failed closeBins invocations within 3 hours that raise the alert.')
@minValue(1)
param closeBinsFailureThreshold int

@description('Deploy the rule on flowLogs failures (the deployment reads a flow-log storage account).')
param alertOnFlowLogsFailures bool

@description('Failed flowLogs invocations within 15 minutes that raise the alert.')
@minValue(1)
param flowLogsFailureThreshold int

@description('Raise an alert when closeBins logs no "close summary" for 3 hours. Turn off when PORTSCAN_CLOSE_SCHEDULE runs less often than every 3 hours.')
param alertOnCloseBinsSilence bool

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'portscan'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

@description('Action groups the rules notify.')
var actions = {
  actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
}

resource ingestFailures 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-ingest-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Port-scan detector: ingest fails repeatedly'
    description: 'The Event Hubs-triggered ingest function failed at least ${ingestFailureThreshold} times in 15 minutes. Flow logs may not be counted.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'requests\n| where name == "ingest" and success == false\n| summarize Failures = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failures'
          operator: 'GreaterThanOrEqual'
          threshold: ingestFailureThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource closeBinsFailures 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-closebins-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Port-scan detector: closeBins fails repeatedly'
    description: 'The closeBins timer function failed at least ${closeBinsFailureThreshold} times in 3 hours. Bins are not closed and no alerts are sent.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT3H'
    criteria: {
      allOf: [
        {
          query: 'requests\n| where name == "closeBins" and success == false\n| summarize Failures = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failures'
          operator: 'GreaterThanOrEqual'
          threshold: closeBinsFailureThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource flowLogsFailures 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = if (alertOnFlowLogsFailures) {
  name: '${namePrefix}-flowlogs-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Port-scan detector: flowLogs fails repeatedly'
    description: 'The Event Grid-triggered flowLogs function failed at least ${flowLogsFailureThreshold} times in 15 minutes. Event Grid delivers each failed event again with backoff for up to 24 hours, then dead-letters it to the flowlog-deadletters container: until the cause is fixed (storage unavailable, a missing Storage Blob Data Reader role), new flow-log blocks are not counted.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'requests\n| where name == "flowLogs" and success == false\n| summarize Failures = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failures'
          operator: 'GreaterThanOrEqual'
          threshold: flowLogsFailureThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource alertsParked 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-alerts-parked'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Port-scan detector: the outbox parked alerts'
    description: 'closeBins logged "alert parked": a sink refused an alert or failed for PORTSCAN_DELIVERY_MAX_RUNS runs. The alert stays in the <prefix>Outbox table; check the sink URL and secret.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'traces\n| where message contains "alert parked"\n| extend event = iff(message startswith "{", tostring(parse_json(message).event), message)\n| where event startswith "alert parked"\n| summarize Parked = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Parked'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource needsAttention 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-needs-attention'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Port-scan detector: invalid setting or incomplete trigger metadata'
    description: '"configuration invalid": a closeBins setting (alert queue, sink URL or secret, often an unresolved Key Vault reference) is bad; bins stay open and no alert is sent until it is fixed, while ingest goes on. "trigger metadata incomplete": the Event Hubs trigger sent a batch without partition id or sequence numbers; it was counted, but a redelivery of it can count its events twice. The trace names the setting or the missing field and the invocation id.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'traces\n| where message contains "configuration invalid" or message contains "trigger metadata incomplete"\n| extend event = iff(message startswith "{", tostring(parse_json(message).event), message)\n| where event startswith "configuration invalid" or event startswith "trigger metadata incomplete"\n| summarize Events = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Events'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource closeBinsSilent 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = if (alertOnCloseBinsSilence) {
  name: '${namePrefix}-closebins-silent'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Port-scan detector: closeBins has not reported for 3 hours'
    description: 'No "close summary" trace in 3 hours: the Function App does not start (check its configuration errors) or the timer does not fire.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT3H'
    criteria: {
      allOf: [
        {
          query: 'traces\n| where message contains "close summary"\n| extend event = iff(message startswith "{", tostring(parse_json(message).event), message)\n| where event startswith "close summary"\n| summarize Runs = count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'Runs'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

@description('Names of the alert rules.')
output ruleNames string[] = concat(
  [
    ingestFailures.name
    closeBinsFailures.name
    alertsParked.name
    needsAttention.name
  ],
  alertOnFlowLogsFailures ? [flowLogsFailures.name] : [],
  alertOnCloseBinsSilence ? [closeBinsSilent.name] : []
)
