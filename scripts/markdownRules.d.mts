import type { Rule } from 'markdownlint';

/** The custom markdownlint rules of scripts/markdownRules.mjs. */
declare const rules: Rule[];
export default rules;

/** GitHub's ids of the headings (and `<a id>` anchors) of a Markdown text. */
export declare function headingIds(text: string): Set<string>;
