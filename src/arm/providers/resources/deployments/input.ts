/** A deployment request's body, checked as ARM does, and its template evaluated for its scope. */
import { ArmErrors } from "../../../../model/errors.js";
import { prepareDeployment, type PreparedDeployment } from "../../../../template/index.js";
import type { Ctx } from "../../../context.js";
import { assertResourceGroup } from "../../../tenancy.js";
import { bodyObject, objectAt, regionAt, stringAt, tagsAt } from "../../../validate.js";
import type { DeploymentAt } from "./records.js";
import { ResourceCache, evalHost, scopeOf } from "./runner.js";

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

/** A deployment request body (PUT, validate, whatIf), checked as ARM does. */
export interface DeploymentInput {
  template: unknown;
  parameters: Record<string, unknown>;
  mode: "Incremental" | "Complete";
  location?: string;
  tags?: Record<string, string>;
  resultFormat?: "FullResourcePayloads" | "ResourceIdOnly";
}

export function deploymentInput(ctx: Ctx, at: DeploymentAt): DeploymentInput {
  const body = bodyObject(ctx.req.body);
  const props = objectAt(body.properties, "properties");
  if (!props)
    throw ArmErrors.invalidRequestContent(
      "The request content was invalid and could not be deserialized: 'Required property 'properties' not found in JSON.'.",
    );
  const link = objectAt(props.templateLink, "properties.templateLink");
  if (link) throw ArmErrors.invalidContentLink(String(link.uri ?? link.id ?? link.relativePath ?? ""));
  const plink = objectAt(props.parametersLink, "properties.parametersLink");
  if (plink) throw ArmErrors.invalidContentLink(String(plink.uri ?? ""));
  const template = objectAt(props.template, "properties.template");
  if (!template)
    throw ArmErrors.invalidRequestContent(
      "The request content was invalid and could not be deserialized: the deployment must have either 'properties.template' or 'properties.templateLink'.",
    );
  const modeText = stringAt(props.mode, "properties.mode");
  const mode =
    lower(modeText) === "complete"
      ? "Complete"
      : lower(modeText) === "incremental"
        ? "Incremental"
        : undefined;
  if (!mode)
    throw ArmErrors.invalidRequestContent(
      `The request content was invalid and could not be deserialized: 'Error converting value ${JSON.stringify(modeText ?? null)} to type 'DeploymentMode'. Path 'properties.mode'.'.`,
    );
  if (mode === "Complete" && at.resourceGroup === undefined)
    throw ArmErrors.invalidRequestContent(
      "The deployment mode 'Complete' is not supported for a subscription-scope deployment. Please see https://aka.ms/deploy-to-subscription for usage details.",
    );
  const parameters = objectAt(props.parameters, "properties.parameters") ?? {};
  const out: DeploymentInput = { template, parameters, mode };
  if (at.resourceGroup === undefined)
    out.location = regionAt(body.location, "Microsoft.Resources/deployments");
  else if (body.location !== undefined && body.location !== null) out.location = String(body.location);
  const tags = tagsAt(body.tags);
  if (tags) out.tags = tags;
  const settings = objectAt(props.whatIfSettings, "properties.whatIfSettings");
  if (lower(stringAt(settings?.resultFormat, "properties.whatIfSettings.resultFormat")) === "resourceidonly")
    out.resultFormat = "ResourceIdOnly";
  return out;
}

/** Evaluates the template for a scope (the resource group must exist). */
export async function prepare(
  ctx: Ctx,
  at: DeploymentAt,
  input: DeploymentInput,
  lenient = false,
): Promise<{ prepared: PreparedDeployment; cache: ResourceCache }> {
  const rg =
    at.resourceGroup !== undefined
      ? await assertResourceGroup(ctx, at.subscriptionId, at.resourceGroup)
      : undefined;
  const cache = new ResourceCache(ctx);
  await cache.preload(at.subscriptionId);
  const prepared = prepareDeployment(
    input.template,
    input.parameters,
    scopeOf(ctx, at, rg, input.location),
    evalHost(ctx, cache),
    lenient ? { lenient: true } : {},
  );
  return { prepared, cache };
}
