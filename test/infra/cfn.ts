// Small helpers to read a packaged CloudFormation template: find resources, follow Ref/GetAtt, evaluate
// the template's Conditions / Fn::If, and flatten IAM policies into (action, resource) grants.
import assert from 'node:assert/strict';
import type { CfnResource, CfnTemplate } from './package.js';

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function resource(template: CfnTemplate, id: string, type?: string): CfnResource {
  const found = template.Resources[id];
  assert.ok(found, `template has no resource ${id}`);
  if (type) assert.equal(found.Type, type, `${id} is a ${found.Type}, not a ${type}`);
  return found;
}

/** The logical id of the one resource of `type` whose property `key` equals `value`. */
export function findBy(template: CfnTemplate, type: string, key: string, value: unknown): string {
  const matches = resourcesOfType(template, type).filter(([, r]) => r.Properties?.[key] === value);
  assert.equal(matches.length, 1, `expected one ${type} with ${key}=${String(value)}, found ${matches.length}`);
  return matches[0][0];
}

/** `{Ref: X}` -> "X", `{Fn::GetAtt: [X, Arn]}` -> "X.Arn", strings as they are, anything else as JSON. */
export function refName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `${getAtt[0]}.${getAtt[1]}`;
    if (typeof getAtt === 'string') return getAtt;
    if (typeof v['Fn::Sub'] === 'string') return v['Fn::Sub'];
  }
  return JSON.stringify(value);
}

function evaluate(template: CfnTemplate, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => evaluate(template, item));
  const v = value as Record<string, unknown>;
  if ('Fn::Equals' in v) {
    const [a, b] = (v['Fn::Equals'] as unknown[]).map((x) => evaluate(template, x));
    return JSON.stringify(a) === JSON.stringify(b);
  }
  if ('Fn::Not' in v) return !evaluate(template, (v['Fn::Not'] as unknown[])[0]);
  if ('Fn::And' in v) return (v['Fn::And'] as unknown[]).every((x) => evaluate(template, x) === true);
  if ('Fn::Or' in v) return (v['Fn::Or'] as unknown[]).some((x) => evaluate(template, x) === true);
  if ('Condition' in v && typeof v.Condition === 'string' && Object.keys(v).length === 1)
    return condition(template, v.Condition);
  return value;
}

/** Value of a template Condition (only literal comparisons: what a packaged template holds). */
export function condition(template: CfnTemplate, name: string): boolean {
  const definition = template.Conditions?.[name];
  assert.ok(definition !== undefined, `template has no condition ${name}`);
  const result = evaluate(template, definition);
  assert.equal(
    typeof result,
    'boolean',
    `condition ${name} does not evaluate to a boolean: ${JSON.stringify(definition)}`,
  );
  return result as boolean;
}

/** Resolves Fn::If (by the template's conditions) and Ref AWS::NoValue (-> undefined), recursively. */
export function resolveIfs(template: CfnTemplate, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveIfs(template, item)).filter((item) => item !== undefined);
  const v = value as Record<string, unknown>;
  if (v.Ref === 'AWS::NoValue') return undefined;
  if ('Fn::If' in v) {
    const [name, whenTrue, whenFalse] = v['Fn::If'] as [string, unknown, unknown];
    return resolveIfs(template, condition(template, name) ? whenTrue : whenFalse);
  }
  return Object.fromEntries(
    Object.entries(v)
      .map(([key, item]) => [key, resolveIfs(template, item)])
      .filter(([, item]) => item !== undefined),
  );
}

/** Whether a resource exists once its Condition (if any) is evaluated. */
export function isCreated(template: CfnTemplate, id: string): boolean {
  const r = template.Resources[id];
  if (!r) return false;
  return r.Condition === undefined || condition(template, r.Condition);
}

export interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export interface Grant {
  action: string;
  resource: string;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Every policy statement that applies to a role: its inline Policies and any AWS::IAM::Policy/ManagedPolicy
 * naming it.
 */
export function roleStatements(template: CfnTemplate, roleId: string): Statement[] {
  const role = resource(template, roleId, 'AWS::IAM::Role');
  const statements: Statement[] = [];
  for (const policy of asArray(role.Properties.Policies))
    statements.push(...asArray<Statement>(policy.PolicyDocument.Statement));
  for (const [, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    if (asArray(r.Properties.Roles).some((ref) => refName(ref) === roleId)) {
      statements.push(...asArray<Statement>(r.Properties.PolicyDocument.Statement));
    }
  }
  return statements;
}

/** (action, resource) pairs a set of statements allows; fails on Deny/NotAction/NotResource (not expected here). */
export function grants(statements: Statement[]): Grant[] {
  const out: Grant[] = [];
  for (const statement of statements) {
    assert.equal(statement.Effect, 'Allow', `unexpected ${statement.Effect} statement`);
    assert.equal(statement.NotAction, undefined, 'NotAction grants everything else');
    assert.equal(statement.NotResource, undefined, 'NotResource grants everything else');
    for (const action of asArray(statement.Action)) {
      for (const r of asArray(statement.Resource as unknown)) out.push({ action, resource: refName(r) });
    }
  }
  return out;
}

export function grantKeys(list: Grant[]): string[] {
  return [...new Set(list.map((g) => `${g.action} ${g.resource}`))].sort();
}
