/**
 * Parses the CLI's SOURCE and DEST forms into an engine Flow. The forms themselves live in
 * src/arm/diagnostics/flow-text.ts, shared with `/_emulator/check` so both accept the same text.
 */
import type { FlowDestination, FlowSource, Protocol } from "../engine/types.js";
import {
  parseDestinationText,
  parsePortText,
  parseProtocolText,
  parseSourceText,
} from "../arm/diagnostics/flow-text.js";
import { InputError } from "./load.js";

const fail = (message: string): never => {
  throw new InputError(message);
};

/** SOURCE: a NIC or VM resource id; `onprem:<IP>@<circuit-or-local-gateway-id>`; or `internet:<IP>`. */
export function parseSource(text: string): FlowSource {
  return parseSourceText(text, fail);
}

/** DEST: a service resource id (optionally `#blob`, `#dfs`, …), a host name, or an IP. */
export function parseDestination(text: string): FlowDestination {
  return parseDestinationText(text, fail);
}

export function parsePort(text: string | undefined): number | undefined {
  return parsePortText(text, fail);
}

export function parseProtocol(text: string | undefined): Protocol | undefined {
  return parseProtocolText(text, fail);
}
