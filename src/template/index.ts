/**
 * The ARM template evaluator: a pure layer (no I/O, no clock, no randomness — `utcNow()` and
 * `newGuid()` come from the injected host). See docs/templates.md.
 */
export type {
  DeploymentScope,
  EvalHost,
  EvaluatedResource,
  PlannedResource,
  PreparedDeployment,
  PrepareOptions,
  TypedValue,
} from "./types.js";
export { prepareDeployment } from "./template.js";
export type { Expr } from "./expression.js";
export { parseExpression, printExpression, isExpressionString } from "./expression.js";
export { uniqueString, guid } from "./hash.js";
export { parseJsonWithPositions } from "./json-positions.js";
export { evaluateStandalone } from "./standalone.js";
