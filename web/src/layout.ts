/**
 * Where the topology draws each thing: on-premises on the left, then subscriptions → resource
 * groups → VNets stacked, each VNet a box whose subnets sit in a grid (so hundreds of subnets
 * stay a tidy page to pan over), service resources on the right placed level with the subnets
 * their VNet rules name. Pure.
 */
import { key, type Estate, type SubnetView } from "./model.js";

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Heading {
  text: string;
  x: number;
  y: number;
  level: 1 | 2;
}

export interface Layout {
  boxes: Map<string, Box>;
  headings: Heading[];
  width: number;
  height: number;
}

export const SUBNET_W = 230;
export const NIC_ROW = 30;
export const MAX_NICS_SHOWN = 4;
const GAP = 16;
const COLS = 4;
const ONPREM_X = 10;
const ONPREM_W = 190;
const MAIN_X = 290;
const SERVICE_W = 240;

export function subnetHeight(s: SubnetView): number {
  const shown = Math.min(s.nics.length, MAX_NICS_SHOWN);
  return 78 + shown * NIC_ROW + (s.nics.length > MAX_NICS_SHOWN ? 16 : 0) + (s.gateways.length ? 16 : 0);
}

export function layoutEstate(e: Estate): Layout {
  const boxes = new Map<string, Box>();
  const headings: Heading[] = [];
  let y = 20;
  let mainRight = MAIN_X + 400;
  for (const sub of e.subscriptions) {
    headings.push({ text: `Subscription ${sub.name}`, x: MAIN_X, y: y + 16, level: 1 });
    y += 34;
    for (const g of sub.groups) {
      if (g.vnets.length === 0) continue;
      headings.push({ text: `Resource group ${g.name}`, x: MAIN_X, y: y + 14, level: 2 });
      y += 28;
      for (const v of g.vnets) {
        const cols = Math.max(1, Math.min(COLS, v.subnets.length));
        const top = y;
        let rowY = top + 58;
        for (let i = 0; i < v.subnets.length; i += cols) {
          const row = v.subnets.slice(i, i + cols);
          const h = Math.max(...row.map(subnetHeight));
          row.forEach((s, j) =>
            boxes.set(s.key, {
              x: MAIN_X + GAP + j * (SUBNET_W + GAP),
              y: rowY,
              w: SUBNET_W,
              h: subnetHeight(s),
            }),
          );
          rowY += h + GAP;
        }
        if (v.subnets.length === 0) rowY += 30;
        const w = GAP + cols * (SUBNET_W + GAP);
        boxes.set(key(v.id), { x: MAIN_X, y: top, w, h: rowY - top });
        mainRight = Math.max(mainRight, MAIN_X + w);
        y = rowY + 24;
      }
    }
  }

  // Service resources: level with the subnets they name, in order, without overlapping.
  const serviceX = mainRight + 160;
  const wanted = e.services.map((s, i) => {
    const ys = s.vnetRules
      .map((r) => boxes.get(key(r.subnetId)))
      .filter((b): b is Box => !!b)
      .map((b) => b.y + b.h / 2);
    return { s, i, y: ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.MAX_SAFE_INTEGER };
  });
  wanted.sort((a, b) => a.y - b.y || a.i - b.i);
  let next = 20;
  for (const w of wanted) {
    const h = 74;
    const top = Math.max(next, w.y === Number.MAX_SAFE_INTEGER ? next : w.y - h / 2);
    boxes.set(key(w.s.id), { x: serviceX, y: top, w: SERVICE_W, h });
    next = top + h + 14;
  }

  // On-premises: level with the gateway subnets they reach.
  let onY = 20;
  for (const o of e.onprem) {
    if (o.kind === "vnetGateway") continue;
    const target = o.links.map((l) => boxes.get(key(l))).find((b) => !!b);
    const top = Math.max(onY, target ? target.y : onY);
    boxes.set(key(o.id), { x: ONPREM_X, y: top, w: ONPREM_W, h: 60 });
    onY = top + 74;
  }

  let width = serviceX + SERVICE_W + 20;
  let height = 100;
  for (const b of boxes.values()) {
    width = Math.max(width, b.x + b.w + 20);
    height = Math.max(height, b.y + b.h + 20);
  }
  return { boxes, headings, width, height: Math.max(height, y) };
}
