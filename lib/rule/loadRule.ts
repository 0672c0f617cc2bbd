import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';
import embeddedRule from './portScanRule.json' with { type: 'json' };
import type { Rule } from './RuleSchema.js';
import { RuleSchema } from './RuleSchema.js';

/** Validates rule data; `origin` names where it came from in error messages. */
export function parseRule(data: unknown, origin: string): Rule {
  const result = RuleSchema.safeParse(data);
  if (!result.success) {
    throw new ConfigurationError(
      result.error.issues.map((i) => `${origin}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

/** The rule shipped with the product (lib/rule/portScanRule.json), validated. */
export function loadEmbeddedRule(): Rule {
  return parseRule(embeddedRule, 'embedded rule lib/rule/portScanRule.json');
}

/**
 * A rule file given by the user (`--rule`, `PORTSCAN_RULE_FILE`), validated.
 * @throws {ConfigurationError} when the file cannot be read, is not JSON or is not a valid rule
 */
export function loadRuleFile(path: string, settingName: string): Rule {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigurationError([`${settingName}: cannot read the rule file ${path}`], { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ConfigurationError([`${settingName}: the rule file ${path} is not valid JSON`], { cause });
  }
  return parseRule(data, `${settingName} ${path}`);
}
