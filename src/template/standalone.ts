/**
 * Evaluates one template-language string outside a template (tests, the CLI's `--template`
 * helpers): `evaluateStandalone("[concat('a', 'b')]")` → `"ab"`.
 */
import { evaluateString, type EvalContext } from "./evaluator.js";
import type { DeploymentScope, EvalHost } from "./types.js";
import { ArmErrors } from "../model/errors.js";
import { ExprError } from "./value.js";

export interface StandaloneOptions {
  scope?: Partial<DeploymentScope>;
  host?: EvalHost;
  parameters?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  /** Allow utcNow()/newGuid() (as in parameter default values). */
  nonDeterministic?: boolean;
}

export function evaluateStandalone(text: string, o: StandaloneOptions = {}): unknown {
  const scope: DeploymentScope = {
    tenantId: "00000000-0000-0000-0000-000000000000",
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    resourceGroup: "rg",
    resourceGroupLocation: "westus",
    deploymentName: "deployment",
    ...o.scope,
  };
  const lookup = (what: string, m: Record<string, unknown> | undefined, name: string) => {
    const k = Object.keys(m ?? {}).find((x) => x.toLowerCase() === name.toLowerCase());
    if (k === undefined) throw new ExprError(`The template ${what} '${name}' is not found.`);
    return m![k];
  };
  const ctx: EvalContext = {
    scope,
    targetScope: scope.resourceGroup === undefined ? "subscription" : "resourceGroup",
    host: o.host,
    allowNonDeterministic: o.nonDeterministic === true,
    parameter: (n) => lookup("parameter", o.parameters, n),
    variable: (n) => lookup("variable", o.variables, n),
    copyIndex: () => {
      throw new ExprError("The template function 'copyIndex' is not expected at this location.");
    },
    deployment: () => ({ name: scope.deploymentName, properties: {} }),
    userFunction: () => undefined,
  };
  try {
    return evaluateString(text, ctx);
  } catch (e) {
    if (e instanceof ExprError) throw ArmErrors.invalidTemplate(e.message);
    throw e;
  }
}
