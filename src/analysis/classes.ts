/**
 * Answers per source class (src/engine/source-classes.ts): one question, every NIC of a
 * snapshot. The first NIC of a class is decided by the engine; every other member gets the
 * class's answer with its own addresses put in (the address the destination sees, and the
 * member's address where the first fix names the representative's). The result is the one
 * `evaluate` gives for that NIC (the property test in test/property/analysis-classes.test.ts
 * checks it on generated estates).
 *
 * Pure: answers from the engine alone.
 */
import { evaluate } from "../engine/evaluate.js";
import type { NicInfo, Snapshot } from "../engine/snapshot.js";
import {
  SourceClassifier,
  sourceAddressesOf,
  type AddressMode,
  type ClassQuestion,
} from "../engine/source-classes.js";
import type { Decision, Verdict } from "../engine/types.js";

/** The first blocker of a denial, reduced to what a row needs. */
export interface BlockerSummary {
  kind: string;
  resourceId?: string;
  rule?: string;
  fix: string;
}

/** For a denied decision, its first blocker (what to fix first); undefined when allowed. */
export function firstBlocker(d: Decision): BlockerSummary | undefined {
  const b = d.decision === "Denied" ? d.blockers[0] : undefined;
  if (!b) return undefined;
  return {
    kind: b.kind,
    ...(b.resourceId ? { resourceId: b.resourceId } : {}),
    ...(b.rule ? { rule: b.rule } : {}),
    fix: b.fix,
  };
}

/** What an answer row says about one flow. */
export interface FlowFacts {
  decision: Verdict;
  /** The address the destination sees. */
  sourceAddress: string;
  viaServiceEndpoint: boolean;
  blocker?: BlockerSummary;
  /** The service's refusal code, when the service refuses. */
  errorCode?: string;
}

/** The facts of one decision. */
export function factsOf(d: Decision): FlowFacts {
  const blocker = firstBlocker(d);
  return {
    decision: d.decision,
    sourceAddress: d.sourceAddress,
    viaServiceEndpoint: d.viaServiceEndpoint,
    ...(blocker ? { blocker } : {}),
    ...(d.error ? { errorCode: d.error.code } : {}),
  };
}

interface ClassAnswer {
  rep: NicInfo;
  facts?: FlowFacts;
  /** What deciding the representative threw: every member throws it too. */
  error?: unknown;
  mode: Exclude<AddressMode, "choose">;
  privateText: string;
  publicText: string;
  /**
   * The first fix cut at the representative's addresses (undefined: the fix names neither):
   * text pieces with, between them, `true` for the private address and `false` for the public one.
   */
  fixParts?: Array<string | boolean>;
  /** The fix names an address that is both the representative's and another's: members are decided one by one. */
  ambiguous?: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The decisions of one question for every NIC of a snapshot, one engine decision per class. */
export class ReachClasses {
  private readonly classifier: SourceClassifier;
  private readonly answers = new Map<string, ClassAnswer>();

  /** Throws what `evaluate` throws for the destination (ResourceNotFound, InvalidFlow). */
  constructor(
    private readonly snap: Snapshot,
    private readonly q: ClassQuestion,
  ) {
    this.classifier = new SourceClassifier(snap, q);
  }

  /** How many classes have been decided so far. */
  get classCount(): number {
    return this.answers.size;
  }

  /**
   * The facts of a flow from `nic` (its default configuration), or undefined when the NIC is no
   * source (no configuration, or one the engine cannot start from). Throws what deciding the
   * flow throws.
   */
  facts(nic: NicInfo): FlowFacts | undefined {
    const cfg = nic.primaryConfig;
    if (!cfg) return undefined;
    const c = this.classifier.classOf(nic, cfg);
    if (!c) return undefined;
    let a = this.answers.get(c.key);
    if (!a) {
      a = this.decide(nic, c.mode);
      this.answers.set(c.key, a);
    }
    if (a.error !== undefined) throw a.error;
    const facts = a.facts!;
    if (a.rep === nic || a.mode === "fixed") return facts;
    if (a.ambiguous) return this.evaluateFacts(nic);
    const own = sourceAddressesOf(this.snap, nic, cfg);
    const out: FlowFacts = {
      ...facts,
      sourceAddress: a.mode === "private" ? own.privateText : own.publicText,
    };
    if (facts.blocker && a.fixParts) {
      let fix = "";
      for (const part of a.fixParts)
        fix += part === true ? own.privateText : part === false ? own.publicText : part;
      out.blocker = { ...facts.blocker, fix };
    }
    return out;
  }

  private decide(rep: NicInfo, mode: AddressMode): ClassAnswer {
    const cfg = rep.primaryConfig!;
    const { privateText, publicText } = sourceAddressesOf(this.snap, rep, cfg);
    let facts: FlowFacts;
    try {
      facts = this.evaluateFacts(rep);
    } catch (error) {
      return { rep, error, mode: "fixed", privateText, publicText };
    }
    let m: ClassAnswer["mode"];
    if (mode === "choose")
      m =
        facts.sourceAddress === privateText
          ? "private"
          : facts.sourceAddress === publicText
            ? "public"
            : "fixed";
    else m = mode;
    const answer: ClassAnswer = { rep, facts, mode: m, privateText, publicText };
    const fix = facts.blocker?.fix;
    if (
      m !== "fixed" &&
      privateText !== publicText &&
      fix !== undefined &&
      (fix.includes(privateText) || fix.includes(publicText))
    ) {
      const pattern = new RegExp(
        `(?<![0-9A-Za-z.:])(?:${escape(privateText)}|${escape(publicText)})(?![0-9A-Za-z:]|\\.[0-9])`,
        "g",
      );
      const parts: Array<string | boolean> = [];
      let at = 0;
      for (const match of fix.matchAll(pattern)) {
        parts.push(fix.slice(at, match.index), match[0] === privateText);
        at = match.index + match[0].length;
      }
      if (parts.length > 0) {
        parts.push(fix.slice(at));
        answer.fixParts = parts;
        const dst = this.classifier.destinationText;
        if (dst === privateText || dst === publicText) answer.ambiguous = true;
      }
    }
    return answer;
  }

  private evaluateFacts(nic: NicInfo): FlowFacts {
    return factsOf(
      evaluate(this.snap, {
        source: { kind: "nic", nicId: nic.id },
        destination: this.q.destination,
        ...(this.q.port !== undefined ? { port: this.q.port } : {}),
        ...(this.q.protocol ? { protocol: this.q.protocol } : {}),
      }),
    );
  }
}
