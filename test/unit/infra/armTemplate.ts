import { createHash } from 'node:crypto';

/**
 * A small evaluator of the compiled ARM template (infra/main.json) for the contract test. It
 * parses ARM template expressions, follows module deployments with their parameters, scopes,
 * conditions and copy loops, and evaluates the handful of template functions Bicep emits here.
 * `reference()` returns deterministic stand-ins derived from the resource id (a storage account's
 * endpoints, an identity's client id, a namespace's serviceBusEndpoint, …), so a setting built
 * from the wrong resource or property shows up as a wrong value. It evaluates what the template
 * would deploy for given parameters; it calls no Azure API and knows nothing about Bicep.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Value = unknown;

type Ast =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Ast[] }
  | { readonly kind: 'member'; readonly target: Ast; readonly name: string }
  | { readonly kind: 'index'; readonly target: Ast; readonly index: Ast };

/** Parses the text of a template expression (without the enclosing brackets). */
export function parseExpression(text: string): Ast {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`ARM expression: ${what} at ${pos} in ${text}`);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text.charAt(pos))) pos++;
  };
  const expect = (ch: string) => {
    skip();
    if (text.charAt(pos) !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const primary = (): Ast => {
    skip();
    const ch = text.charAt(pos);
    if (ch === "'") {
      let value = '';
      pos++;
      for (;;) {
        if (pos >= text.length) fail('unterminated string');
        const c = text.charAt(pos);
        if (c === "'") {
          if (text.charAt(pos + 1) === "'") {
            value += "'";
            pos += 2;
            continue;
          }
          pos++;
          return { kind: 'string', value };
        }
        value += c;
        pos++;
      }
    }
    const num = /^-?\d+/.exec(text.slice(pos));
    if (num !== null) {
      pos += num[0].length;
      return { kind: 'number', value: Number(num[0]) };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(pos));
    if (ident === null) return fail('expected a value');
    pos += ident[0].length;
    expect('(');
    const args: Ast[] = [];
    skip();
    if (text.charAt(pos) === ')') pos++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (text.charAt(pos) === ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name: ident[0].toLowerCase(), args };
  };
  const expression = (): Ast => {
    let node = primary();
    for (;;) {
      skip();
      const ch = text.charAt(pos);
      if (ch === '.') {
        pos++;
        const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(pos));
        if (name === null) return fail('expected a property name');
        pos += name[0].length;
        node = { kind: 'member', target: node, name: name[0] };
      } else if (ch === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const ast = expression();
  skip();
  if (pos !== text.length) fail('trailing text');
  return ast;
}

/** True when a JSON string is a template expression ("[...]" but not the escaped "[[..."). */
export function isExpression(s: string): boolean {
  return s.startsWith('[') && s.endsWith(']') && !s.startsWith('[[');
}

export interface ArmResource {
  readonly type: string;
  readonly apiVersion?: string;
  readonly name: Json;
  readonly existing?: boolean;
  readonly condition?: Json;
  readonly scope?: Json;
  readonly subscriptionId?: Json;
  readonly resourceGroup?: Json;
  readonly copy?: { readonly name: string; readonly count: Json };
  readonly properties?: { readonly [key: string]: Json };
  readonly [key: string]: Json | undefined;
}

/** A template parameter's declaration: its type, default and the constraints ARM checks. */
export interface ArmParameter {
  readonly type: string;
  readonly defaultValue?: Json;
  readonly allowedValues?: readonly Json[];
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface ArmTemplate {
  readonly parameters?: { readonly [name: string]: ArmParameter };
  readonly variables?: { readonly [name: string]: Json };
  readonly resources: readonly ArmResource[] | { readonly [symbol: string]: ArmResource };
  readonly outputs?: { readonly [name: string]: { readonly type: string; readonly value?: Json } };
  readonly [key: string]: unknown;
}

/** The resources of a template with their symbolic names (languageVersion 2.0) or indexes. */
export function resourceEntries(template: ArmTemplate): [string, ArmResource][] {
  const rs = template.resources;
  return Array.isArray(rs) ? rs.map((r, i) => [String(i), r]) : Object.entries(rs);
}

export interface Scope {
  readonly subscriptionId: string;
  readonly resourceGroup?: string;
}

/**
 * What Azure Resource Manager answers at validation, before any resource deploys: a parameter
 * value outside its declared constraints, or the template's own `fail()` (Bicep's `fail`). The
 * evaluator's other errors (an unsupported function, a missing property) are defects of the
 * template or the evaluator and stay plain `Error`s.
 */
export class InvalidTemplateError extends Error {
  override readonly name = 'InvalidTemplateError';
}

/**
 * Checks parameter values against their declarations as ARM does at validation: `allowedValues`
 * (every element, for an array), `minValue`/`maxValue`, `minLength`/`maxLength` (strings and
 * arrays).
 * @throws {InvalidTemplateError} naming the first parameter that breaks its constraints
 */
export function checkParameters(
  template: ArmTemplate,
  params: Readonly<Record<string, Value>>,
  path: string,
): void {
  for (const [name, spec] of Object.entries(template.parameters ?? {})) {
    if (!(name in params)) continue;
    const value = params[name];
    const reject = (why: string): never => {
      throw new InvalidTemplateError(`${path}: parameter ${name} = ${JSON.stringify(value)} ${why}`);
    };
    if (spec.allowedValues !== undefined) {
      const allowed = spec.allowedValues.map((v) => JSON.stringify(v));
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => allowed.includes(JSON.stringify(v))))
        reject(`is not one of the allowed values ${allowed.join(', ')}`);
    }
    if (typeof value === 'number') {
      if (spec.minValue !== undefined && value < spec.minValue) reject(`is below ${spec.minValue}`);
      if (spec.maxValue !== undefined && value > spec.maxValue) reject(`is above ${spec.maxValue}`);
    }
    if (typeof value === 'string' || Array.isArray(value)) {
      if (spec.minLength !== undefined && value.length < spec.minLength)
        reject(`is shorter than ${spec.minLength}`);
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        reject(`is longer than ${spec.maxLength}`);
    }
  }
}

/**
 * The frame of a template deployed with the given parameters: defaults filled in, then every
 * value checked against its declaration as ARM validates a deployment.
 * @throws {InvalidTemplateError} for a value outside its constraints
 */
export function rootFrame(
  template: ArmTemplate,
  given: Readonly<Record<string, Value>>,
  scope: Scope,
): Frame {
  const params: Record<string, Value> = { ...given };
  for (const [name, spec] of Object.entries(template.parameters ?? {})) {
    if (!(name in params) && spec.defaultValue !== undefined) params[name] = spec.defaultValue;
  }
  checkParameters(template, params, 'main');
  return new Frame(template, params, scope, 'main');
}

/** One template being evaluated: the main template or a module deployment. */
export class Frame {
  readonly #variables = new Map<string, Value>();
  readonly #evaluating = new Set<string>();

  constructor(
    readonly template: ArmTemplate,
    readonly params: Readonly<Record<string, Value>>,
    readonly scope: Scope,
    readonly path: string,
    readonly copyIndexes: Readonly<Record<string, number>> = {},
  ) {}

  /** Evaluates a JSON value: expressions inside strings, objects and arrays, property copy loops. */
  evaluate(value: Json | undefined): Value {
    if (value === undefined || value === null) return value ?? null;
    if (typeof value === 'string') {
      if (value.startsWith('[[')) return value.slice(1);
      return isExpression(value) ? this.evaluateAst(parseExpression(value.slice(1, -1))) : value;
    }
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v));
    if (typeof value === 'object') {
      const out: Record<string, Value> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === 'copy' && Array.isArray(v)) {
          for (const spec of v as { name: string; count: Json; input: Json }[]) {
            const count = this.evaluate(spec.count) as number;
            out[spec.name] = Array.from({ length: count }, (_, i) =>
              this.withCopyIndex({ [spec.name]: i }).evaluate(spec.input),
            );
          }
          continue;
        }
        out[String(this.evaluate(k))] = this.evaluate(v);
      }
      return out;
    }
    return value;
  }

  withCopyIndex(indexes: Record<string, number>): Frame {
    return new Frame(this.template, this.params, this.scope, this.path, { ...this.copyIndexes, ...indexes });
  }

  variable(name: string): Value {
    if (this.#variables.has(name)) return this.#variables.get(name);
    if (this.#evaluating.has(name)) throw new Error(`${this.path}: variable ${name} refers to itself`);
    const raw = this.template.variables?.[name];
    if (raw === undefined) throw new Error(`${this.path}: no variable ${name}`);
    this.#evaluating.add(name);
    const v = this.evaluate(raw);
    this.#evaluating.delete(name);
    this.#variables.set(name, v);
    return v;
  }

  resource(symbol: string): ArmResource {
    const r = resourceEntries(this.template).find(([s]) => s === symbol)?.[1];
    if (r === undefined) throw new Error(`${this.path}: no resource ${symbol}`);
    return r;
  }

  /** The scope a resource of this template lives in (existing resources may name another one). */
  resourceScope(r: ArmResource): Scope {
    const sub =
      r.subscriptionId === undefined ? this.scope.subscriptionId : String(this.evaluate(r.subscriptionId));
    const rg =
      r.resourceGroup === undefined ? this.scope.resourceGroup : String(this.evaluate(r.resourceGroup));
    return rg === undefined ? { subscriptionId: sub } : { subscriptionId: sub, resourceGroup: rg };
  }

  /** The resource id of a resource of this template (not an extension resource). */
  resourceId(r: ArmResource): string {
    return buildResourceId(this.resourceScope(r), r.type, String(this.evaluate(r.name)).split('/'));
  }

  /** The frame of a module deployment declared in this template. */
  module(r: ArmResource, path: string): Frame {
    const props = r.properties as {
      template: ArmTemplate;
      parameters?: Record<string, { value: Json } | string>;
    };
    const params: Record<string, Value> = {};
    for (const [name, spec] of Object.entries(props.template.parameters ?? {})) {
      const given = props.parameters?.[name];
      // A conditional value compiles to one expression for the whole `{ value: … }` object.
      if (typeof given === 'string') params[name] = (this.evaluate(given) as { value: Value }).value;
      else if (given !== undefined) params[name] = this.evaluate(given.value);
      else if (spec.defaultValue !== undefined) params[name] = spec.defaultValue;
    }
    checkParameters(props.template, params, path);
    return new Frame(props.template, params, this.resourceScope(r), path);
  }

  evaluateAst(ast: Ast): Value {
    switch (ast.kind) {
      case 'string':
      case 'number':
        return ast.value;
      case 'member': {
        const target = this.evaluateAst(ast.target) as Record<string, Value> | null | undefined;
        if (target === null || target === undefined || typeof target !== 'object')
          throw new Error(`${this.path}: .${ast.name} of ${String(target)}`);
        if (!(ast.name in target)) throw new Error(`${this.path}: no property ${ast.name}`);
        return target[ast.name];
      }
      case 'index': {
        const target = this.evaluateAst(ast.target) as Record<string | number, Value>;
        const index = this.evaluateAst(ast.index) as string | number;
        if (Array.isArray(target) && (typeof index !== 'number' || index < 0 || index >= target.length))
          throw new Error(`${this.path}: index ${index} out of range`);
        return target[index];
      }
      case 'call':
        return this.call(ast.name, ast.args);
    }
  }

  private call(name: string, argAsts: readonly Ast[]): Value {
    // `if` evaluates only the branch it takes and `coalesce` stops at the first non-null value, as
    // ARM does: Bicep's `?:` and `??` compile to them, and `fail()` relies on it.
    if (name === 'if') {
      const [c, t, f] = argAsts;
      if (c === undefined || t === undefined || f === undefined) throw new Error('if: three arguments');
      return this.evaluateAst(c) === true ? this.evaluateAst(t) : this.evaluateAst(f);
    }
    if (name === 'coalesce') {
      for (const a of argAsts) {
        const v = this.evaluateAst(a);
        if (v !== null && v !== undefined) return v;
      }
      return null;
    }
    const args = argAsts.map((a) => this.evaluateAst(a));
    const str = (i: number) => {
      const v = args[i];
      if (typeof v !== 'string')
        throw new Error(`${name}: argument ${i} is not a string: ${JSON.stringify(v)}`);
      return v;
    };
    switch (name) {
      case 'parameters': {
        const p = str(0);
        if (!(p in this.params)) throw new Error(`${this.path}: parameter ${p} has no value`);
        return this.params[p];
      }
      case 'variables':
        return this.variable(str(0));
      case 'format':
        return str(0).replace(/\{(\d+)\}/g, (_, i: string) => toArmString(args[Number(i) + 1]));
      case 'concat':
        return args.every(Array.isArray) ? (args as Value[][]).flat() : args.map(toArmString).join('');
      case 'createarray':
        return args;
      case 'createobject': {
        const o: Record<string, Value> = {};
        for (let i = 0; i < args.length; i += 2) o[str(i)] = args[i + 1];
        return o;
      }
      case 'union':
        return Object.assign({}, ...(args as object[]));
      case 'not':
        return args[0] !== true;
      case 'and':
        return args.every((a) => a === true);
      case 'or':
        return args.some((a) => a === true);
      case 'equals':
        return JSON.stringify(args[0]) === JSON.stringify(args[1]);
      case 'greater':
        return (args[0] as number) > (args[1] as number);
      case 'empty': {
        const v = args[0];
        return (
          v === null ||
          v === '' ||
          (Array.isArray(v) && v.length === 0) ||
          (typeof v === 'object' && Object.keys(v as object).length === 0)
        );
      }
      case 'length':
        return Array.isArray(args[0]) ? args[0].length : str(0).length;
      case 'null':
        return null;
      case 'true':
        return true;
      case 'false':
        return false;
      case 'string':
        return toArmString(args[0]);
      case 'tolower':
        return str(0).toLowerCase();
      case 'take':
        return Array.isArray(args[0])
          ? args[0].slice(0, args[1] as number)
          : str(0).slice(0, args[1] as number);
      case 'split':
        return str(0).split(str(1));
      case 'replace':
        return str(0).split(str(1)).join(str(2));
      case 'last': {
        const v = Array.isArray(args[0]) ? args[0] : str(0).split('');
        return v[v.length - 1];
      }
      case 'join':
        return (args[0] as Value[]).map(toArmString).join(str(1));
      case 'tryget': {
        let v = args[0];
        for (const key of args.slice(1)) {
          if (v === null || typeof v !== 'object') return null;
          v = (v as Record<string, Value>)[key as string] ?? null;
        }
        return v ?? null;
      }
      case 'fail':
        throw new InvalidTemplateError(`${this.path}: ${str(0)}`);
      case 'contains': {
        // Strings compare case-sensitively, object keys case-insensitively, array items by value.
        const [container, item] = args;
        if (typeof container === 'string') return container.includes(str(1));
        if (Array.isArray(container))
          return container.some((v) => JSON.stringify(v) === JSON.stringify(item));
        if (container !== null && typeof container === 'object')
          return Object.keys(container).some((k) => k.toLowerCase() === String(item).toLowerCase());
        throw new Error(`contains: cannot search ${JSON.stringify(container)}`);
      }
      case 'copyindex': {
        const loop = typeof args[0] === 'string' ? args[0] : '';
        const offset = typeof args[0] === 'number' ? args[0] : ((args[1] as number | undefined) ?? 0);
        const i = this.copyIndexes[loop];
        if (i === undefined) throw new Error(`${this.path}: copyIndex(${loop}) outside its loop`);
        return i + offset;
      }
      case 'uniquestring':
        return hash(args.map(toArmString).join('|')).slice(0, 13);
      case 'guid': {
        const h = hash(args.map(toArmString).join('|'));
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
      }
      case 'subscription':
        return {
          id: `/subscriptions/${this.scope.subscriptionId}`,
          subscriptionId: this.scope.subscriptionId,
          tenantId: TENANT_ID,
        };
      case 'resourcegroup': {
        const group = this.scope.resourceGroup;
        if (group === undefined) throw new Error(`${this.path}: resourceGroup() outside a resource group`);
        return { id: `/subscriptions/${this.scope.subscriptionId}/resourceGroups/${group}`, name: group };
      }
      case 'tenant':
        return { tenantId: TENANT_ID };
      case 'deployment':
        return { name: 'main' };
      case 'resourceid': {
        const typeAt = args.findIndex(
          (a) => typeof a === 'string' && /^[A-Za-z]+\.[A-Za-z.]+\/[A-Za-z]/.test(a),
        );
        if (typeAt < 0 || typeAt > 2)
          throw new Error(`resourceId: no resource type in ${JSON.stringify(args)}`);
        const before = args.slice(0, typeAt).map(String);
        const scope: Scope =
          before.length === 2
            ? { subscriptionId: before[0] as string, resourceGroup: before[1] as string }
            : before.length === 1
              ? { subscriptionId: this.scope.subscriptionId, resourceGroup: before[0] as string }
              : this.scope;
        return buildResourceId(scope, str(typeAt), args.slice(typeAt + 1).map(String));
      }
      case 'subscriptionresourceid':
        return buildResourceId(
          { subscriptionId: this.scope.subscriptionId },
          str(0),
          args.slice(1).map(String),
        );
      case 'extensionresourceid':
        return `${str(0)}/providers/${extensionPath(str(1), args.slice(2).map(String))}`;
      case 'reference':
        return this.reference(args[0], args[2] === 'full');
      default:
        throw new Error(`${this.path}: template function ${name}() is not supported by the test evaluator`);
    }
  }

  private reference(target: Value, full = false): Value {
    if (typeof target !== 'string') throw new Error('reference: expected a symbol or a resource id');
    // reference(id, version, 'full'): the whole resource, its runtime properties under `properties`.
    if (full) {
      const id = target.startsWith('/') ? target : this.resourceId(this.resource(target));
      return fullReferenceStub(resourceTypeOf(id), id);
    }
    if (!target.startsWith('/')) {
      const r = this.resource(target);
      if (r.type === 'Microsoft.Resources/deployments') {
        const frame = this.module(r, `${this.path}/${target}`);
        const outputs: Record<string, { value: Value }> = {};
        for (const [name, o] of Object.entries(frame.template.outputs ?? {})) {
          outputs[name] = { value: frame.evaluate(o.value ?? null) };
        }
        return { outputs };
      }
      return referenceStub(r.type, this.resourceId(r));
    }
    return referenceStub(resourceTypeOf(target), target);
  }
}

export const TENANT_ID = '00000000-0000-4000-8000-00000000feed';

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function toArmString(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function extensionPath(type: string, names: readonly string[]): string {
  const [namespace, ...types] = type.split('/');
  if (types.length !== names.length) throw new Error(`resource id: ${type} needs ${types.length} names`);
  return [namespace, ...types.flatMap((t, i) => [t, names[i]])].join('/');
}

/** Builds a resource id the way ARM writes it. */
export function buildResourceId(scope: Scope, type: string, names: readonly string[]): string {
  const base =
    scope.resourceGroup === undefined
      ? `/subscriptions/${scope.subscriptionId}`
      : `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}`;
  return `${base}/providers/${extensionPath(type, names)}`;
}

/** The resource type named by a resource id (the last provider segment). */
export function resourceTypeOf(id: string): string {
  const parts = id.split('/providers/');
  const tail = (parts[parts.length - 1] ?? '').split('/');
  const [namespace, ...rest] = tail;
  return [namespace, ...rest.filter((_, i) => i % 2 === 0)].join('/');
}

/** The last name segment of a resource id. */
export function resourceNameOf(id: string): string {
  return id.split('/').pop() ?? '';
}

/** Deterministic client id of a managed identity, as the evaluator's `reference()` returns it. */
export function stubClientId(identityId: string): string {
  const h = hash(`client:${identityId.toLowerCase()}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Deterministic principal (object) id of a managed identity. */
export function stubPrincipalId(identityId: string): string {
  return `principal-of:${identityId.toLowerCase()}`;
}

/** Stand-in for the runtime properties `reference()` would return for a resource. */
function referenceStub(type: string, id: string): Value {
  const name = resourceNameOf(id);
  switch (type) {
    case 'Microsoft.ManagedIdentity/userAssignedIdentities':
      return { clientId: stubClientId(id), principalId: stubPrincipalId(id), tenantId: TENANT_ID };
    case 'Microsoft.Storage/storageAccounts':
      return {
        primaryEndpoints: Object.fromEntries(
          ['blob', 'queue', 'table', 'file', 'dfs', 'web'].map((s) => [
            s,
            `https://${name}.${s}.core.windows.net/`,
          ]),
        ),
      };
    case 'Microsoft.EventHub/namespaces':
      return { serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/` };
    case 'Microsoft.KeyVault/vaults':
      return { vaultUri: `https://${name}.vault.azure.net/` };
    case 'Microsoft.Insights/components':
      return { ConnectionString: `connection-string-of:${id}` };
    case 'Microsoft.Web/sites':
      return { defaultHostName: `${name}.azurewebsites.net` };
    default:
      throw new Error(`reference(): no stand-in for ${type}`);
  }
}

/** Deterministic principal id of a resource's system-assigned identity. */
export function stubSystemPrincipalId(resourceId: string): string {
  return `system-principal-of:${resourceId.toLowerCase()}`;
}

/** Stand-in for `reference(id, version, 'full')`: the system-assigned identity of the resources that have one. */
function fullReferenceStub(type: string, id: string): Value {
  switch (type) {
    case 'Microsoft.EventGrid/systemTopics':
      return {
        identity: { type: 'SystemAssigned', principalId: stubSystemPrincipalId(id), tenantId: TENANT_ID },
      };
    default:
      throw new Error(`reference(…, 'full'): no stand-in for ${type}`);
  }
}

/** A resource the template deploys for the given parameters (conditions and copy loops applied). */
export interface DeployedResource {
  readonly symbol: string;
  readonly type: string;
  readonly frame: Frame;
  readonly resource: ArmResource;
  /** The resource id; for extension resources (role assignments), the id of the resource it extends comes first. */
  readonly id: string;
  /** For extension resources: the id of the resource they are attached to. */
  readonly scopeId: string | undefined;
  /** The evaluated `properties`. */
  readonly properties: Record<string, Value>;
  readonly name: string;
}

/** Evaluates which resources a template deploys, descending into module deployments. */
export function deployedResources(frame: Frame): DeployedResource[] {
  const out: DeployedResource[] = [];
  for (const [symbol, r] of resourceEntries(frame.template)) {
    if (r.existing === true) continue;
    const count = r.copy === undefined ? 1 : (frame.evaluate(r.copy.count) as number);
    for (let i = 0; i < count; i++) {
      const f = r.copy === undefined ? frame : frame.withCopyIndex({ '': i, [r.copy.name]: i });
      if (r.condition !== undefined && f.evaluate(r.condition) !== true) continue;
      const path = `${frame.path}/${symbol}${r.copy === undefined ? '' : `[${i}]`}`;
      if (r.type === 'Microsoft.Resources/deployments') {
        out.push(...deployedResources(f.module(r, path)));
        continue;
      }
      const name = String(f.evaluate(r.name));
      const scopeId = r.scope === undefined ? undefined : String(f.evaluate(r.scope));
      const id =
        scopeId === undefined
          ? f.resourceId(r)
          : `${scopeId}/providers/${extensionPath(r.type, name.split('/'))}`;
      out.push({
        symbol: path,
        type: r.type,
        frame: f,
        resource: r,
        id,
        scopeId,
        properties: (f.evaluate((r.properties ?? {}) as Json) ?? {}) as Record<string, Value>,
        name,
      });
    }
  }
  return out;
}
