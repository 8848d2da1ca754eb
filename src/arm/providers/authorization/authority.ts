/**
 * Lazurite's identity URLs: the server is its own authority. A tenant's authority is
 * `{base}/{tenantId}` (what `@azure/identity`'s `authorityHost` + tenant id resolve to), and
 * its access tokens carry `iss: {base}/{tenantId}/` (Azure's v1 form is
 * `https://sts.windows.net/{tenantId}/`).
 */
export function authorityUrl(baseUrl: string, tenantId: string): string {
  return `${baseUrl}/${tenantId}`;
}

export function issuerUrl(baseUrl: string, tenantId: string): string {
  return `${baseUrl}/${tenantId}/`;
}
