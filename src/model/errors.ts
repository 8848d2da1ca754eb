/**
 * The one error type of Lazurite. Every refusal, from the ARM control plane or the
 * model's validation, is an ArmError carrying Azure's HTTP status and error code.
 * Only the HTTP shell turns it into ARM's envelope `{ "error": { code, message, target?, details? } }`.
 *
 * Create errors through the named constructors in `ArmErrors` (one per code), so that
 * `docs/errors.md` can list every code (a test keeps the two equal).
 */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details?: ArmErrorDetail[];
  /** Extra headers an HTTP shell should send with the error (rare). */
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { target?: string; details?: ArmErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ArmError";
    this.status = status;
    this.code = code;
    if (opts.target !== undefined) this.target = opts.target;
    if (opts.details !== undefined) this.details = opts.details;
    if (opts.headers !== undefined) this.headers = opts.headers;
  }

  /** ARM's error envelope. */
  toBody(): { error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } } {
    const error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } = {
      code: this.code,
      message: this.message,
    };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isArmError(e: unknown): e is ArmError {
  return e instanceof ArmError;
}

/**
 * Named constructors, one per ARM code. Add new codes here (and to docs/errors.md).
 */
export const ArmErrors = {
  invalidCidrNotation: (prefix: string, resourceId: string, normalized: string) =>
    new ArmError(
      400,
      "InvalidCIDRNotation",
      `The address prefix ${prefix} in resource ${resourceId} has an invalid CIDR notation. For the given prefix length, the address prefix should be ${normalized}.`,
    ),
  invalidAddressPrefixFormat: (prefix: string) =>
    new ArmError(400, "InvalidAddressPrefixFormat", `IP Prefix ${prefix} is invalid.`),
  invalidResourceId: (id: string) =>
    new ArmError(
      400,
      "InvalidResourceId",
      `Resource id '${id}' is invalid. A fully qualified resource id starting with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/' is expected.`,
    ),
  linkedInvalidPropertyId: (path: string, id: string) =>
    new ArmError(
      400,
      "LinkedInvalidPropertyId",
      `Property id '${id}' at path '${path}' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
    ),
  invalidRequestFormat: (message: string) => new ArmError(400, "InvalidRequestFormat", message),
  invalidRequestContent: (message: string) => new ArmError(400, "InvalidRequestContent", message),
  badRequest: (message: string) => new ArmError(400, "BadRequest", message),
  invalidParameter: (message: string, target?: string) =>
    new ArmError(400, "InvalidParameter", message, target !== undefined ? { target } : {}),
} as const;
