import type { Rule } from 'markdownlint';

/** The custom markdownlint rules of scripts/markdownRules.mjs. */
declare const rules: Rule[];
export default rules;
