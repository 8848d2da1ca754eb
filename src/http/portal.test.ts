import { describe, expect, it } from "vitest";
import { portalPage } from "./portal.js";

describe("portal page", () => {
  const html = '<!doctype html><html><head><title>x</title></head><body><div id="root"></div></body></html>';

  it("carries the server's auth mode and default tenant in a meta tag the page reads before its first call", () => {
    const page = portalPage(html, { authMode: "strict", tenantId: "72f988bf-0000-0000-0000-000000000001" });
    expect(page).toContain(
      '<meta name="lazurite-auth" content="strict" data-tenant="72f988bf-0000-0000-0000-000000000001" /></head>',
    );
    expect(portalPage(html, {})).toContain('<meta name="lazurite-auth" content="open" /></head>');
  });

  it("escapes what it writes into the attribute", () => {
    const page = portalPage(html, { authMode: "open", tenantId: '"><script>' });
    expect(page).not.toContain("<script>");
    expect(page).toContain('data-tenant="&#34;&#62;&#60;script&#62;"');
  });
});
