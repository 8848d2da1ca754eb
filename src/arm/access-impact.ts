/**
 * The port through which ARM's what-if asks for Lazurite's access diagnostics (who can reach
 * what before and after a deployment). The control plane defines it and never computes it: the
 * implementation lives above src/arm (wired in src/main.ts), so the control plane needs no
 * engine or analysis code for it.
 */
import type { ArmResource } from "../model/resources/common.js";

/** One entry of a what-if's `diagnostics` (ARM's DeploymentDiagnosticsDefinition). */
export interface AccessDiagnostic {
  level: "Error" | "Warning" | "Info";
  /** Stable code (docs/templates.md lists them). */
  code: string;
  /** The resource the diagnostic is about (a subnet, a NIC, a service resource). */
  target: string;
  message: string;
  additionalInfo?: Array<{ type: string; info: unknown }>;
}

export interface AccessImpactPort {
  /** Every stored resource before the deployment and after it (top-level, children inline). */
  diagnose(before: readonly ArmResource[], after: readonly ArmResource[]): AccessDiagnostic[];
}
