import { describe, expect, it } from 'vitest';
import { type ArmTemplate, Frame, InvalidTemplateError, rootFrame } from './armTemplate.js';

/*
 * The contract test's template evaluator on its own: the functions the checks in infra/main.bicep
 * rely on (fail, contains, lazy if and coalesce) and the parameter constraints ARM enforces.
 */

const SCOPE = { subscriptionId: '11111111-1111-4111-8111-111111111111' };

function evaluate(expression: string, params: Record<string, unknown> = {}): unknown {
  return new Frame({ resources: {} }, params, SCOPE, 'test').evaluate(expression);
}

describe('Infra: template evaluator functions', () => {
  it('raises the template’s own fail() message as an InvalidTemplateError', () => {
    expect(() => evaluate("[fail('firewallResourceIds needs a rule')]")).toThrow(InvalidTemplateError);
    expect(() => evaluate("[fail('firewallResourceIds needs a rule')]")).toThrow(
      'test: firewallResourceIds needs a rule',
    );
  });

  it.each([
    ["[if(true(), 'kept', fail('never'))]", 'kept'],
    ["[if(false(), fail('never'), 'kept')]", 'kept'],
    ["[coalesce(null(), 'kept', fail('never'))]", 'kept'],
  ])('evaluates only the branch %s takes', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });

  it('fails through a taken branch', () => {
    expect(() => evaluate("[if(equals(parameters('n'), 3), fail('three'), 'ok')]", { n: 3 })).toThrow(
      'test: three',
    );
    expect(() => evaluate("[coalesce(null(), fail('nothing given'))]")).toThrow(InvalidTemplateError);
  });

  it.each([
    ["[contains('Microsoft.EventHub/namespaces', 'EventHub')]", true],
    // ARM compares strings case-sensitively.
    ["[contains('Microsoft.EventHub/namespaces', 'eventhub')]", false],
    ['[contains(createArray(1, 2, 4), 2)]', true],
    ['[contains(createArray(1, 2, 4), 3)]', false],
    ["[contains(createArray('a', 'b'), 'B')]", false],
    // Object keys compare case-insensitively.
    ["[contains(createObject('Name', 1), 'name')]", true],
    ["[contains(createObject('Name', 1), 'other')]", false],
  ])('evaluates %s as ARM does', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });

  it('refuses a function it does not know instead of evaluating it to anything', () => {
    let thrown: unknown;
    try {
      evaluate("[if(true(), listKeys('x', '2024-01-01'), null())]");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(InvalidTemplateError);
    expect((thrown as Error).message).toBe(
      'test: template function listkeys() is not supported by the test evaluator',
    );
  });
});

describe('Infra: template parameter constraints', () => {
  const template: ArmTemplate = {
    parameters: {
      units: { type: 'int', defaultValue: 1, allowedValues: [1, 2, 4, 8, 16] },
      count: { type: 'int', defaultValue: 40, minValue: 40, maxValue: 1000 },
      name: { type: 'string', defaultValue: 'abc', minLength: 3, maxLength: 5 },
      skus: { type: 'array', defaultValue: [], allowedValues: ['Standard', 'Premium'] },
    },
    resources: {},
  };

  it('fills the defaults and accepts values within the constraints', () => {
    const frame = rootFrame(template, { units: 16, skus: ['Premium'] }, SCOPE);
    expect(frame.params).toEqual({ units: 16, count: 40, name: 'abc', skus: ['Premium'] });
  });

  it.each([
    [{ units: 3 }, 'main: parameter units = 3 is not one of the allowed values 1, 2, 4, 8, 16'],
    [{ count: 39 }, 'main: parameter count = 39 is below 40'],
    [{ count: 1001 }, 'main: parameter count = 1001 is above 1000'],
    [{ name: 'ab' }, 'main: parameter name = "ab" is shorter than 3'],
    [{ name: 'abcdef' }, 'main: parameter name = "abcdef" is longer than 5'],
    [
      { skus: ['Basic'] },
      'main: parameter skus = ["Basic"] is not one of the allowed values "Standard", "Premium"',
    ],
  ])('refuses %j as ARM validation would', (params, message) => {
    expect(() => rootFrame(template, params, SCOPE)).toThrow(new InvalidTemplateError(message));
  });
});
