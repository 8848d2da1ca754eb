/**
 * api-versions: every request must carry one (400 MissingApiVersionParameter otherwise) and
 * any well-formed version in the range real clients send is accepted (real-clients §4.3:
 * 2015 to 2026, `-preview` suffixes included). Lazurite serves one shape per type; newer or
 * older properties round-trip untouched.
 */
import { ArmErrors } from "../model/errors.js";

const FORM = /^(\d{4})-(\d{2})-(\d{2})(-(preview|alpha|beta|privatepreview))?$/i;
export const OLDEST_API_VERSION = "2014-01-01";
export const NEWEST_API_VERSION = "2026-12-31";

/** Throws MissingApiVersionParameter / InvalidApiVersionParameter. */
export function checkApiVersion(v: string | undefined): string {
  if (v === undefined || v.trim() === "") throw ArmErrors.missingApiVersion();
  const m = FORM.exec(v.trim());
  if (!m) throw ArmErrors.invalidApiVersion(v);
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) throw ArmErrors.invalidApiVersion(v);
  if (date < OLDEST_API_VERSION || date > NEWEST_API_VERSION) throw ArmErrors.invalidApiVersion(v);
  return v.trim();
}

/** Versions advertised by `GET /subscriptions/{s}/providers/{ns}` (newest first; az takes the first non-preview). */
export const NETWORK_API_VERSIONS = [
  "2025-05-01",
  "2024-05-01",
  "2023-09-01",
  "2022-07-01",
  "2022-01-01",
  "2021-05-01",
  "2020-11-01",
  "2019-12-01",
  "2019-09-01",
  "2019-06-01",
  "2018-11-01",
  "2018-08-01",
  "2017-09-01",
  "2017-06-01",
] as const;

export const COMPUTE_API_VERSIONS = [
  "2024-07-01",
  "2024-03-01",
  "2023-09-01",
  "2022-11-01",
  "2021-07-01",
  "2019-07-01",
  "2017-03-30",
] as const;

export const RESOURCES_API_VERSIONS = [
  "2025-04-01",
  "2022-09-01",
  "2021-04-01",
  "2020-01-01",
  "2019-11-01",
  "2019-10-01",
] as const;

export const CLASSIC_NETWORK_API_VERSIONS = ["2016-11-01", "2015-12-01"] as const;

// ---- Service resources (advertised newest first; any well-formed version is accepted) ----
export const STORAGE_API_VERSIONS = [
  "2023-05-01",
  "2023-01-01",
  "2022-09-01",
  "2021-09-01",
  "2019-06-01",
  "2019-04-01",
  "2018-11-01",
  "2017-10-01",
  "2017-06-01",
] as const;
export const SQL_API_VERSIONS = [
  "2023-08-01",
  "2021-11-01",
  "2022-08-01-preview",
  "2020-11-01-preview",
  "2015-05-01-preview",
  "2014-04-01",
] as const;
export const POSTGRESQL_API_VERSIONS = ["2017-12-01"] as const;
export const MYSQL_API_VERSIONS = ["2017-12-01"] as const;
export const MARIADB_API_VERSIONS = ["2018-06-01"] as const;
export const COSMOS_API_VERSIONS = ["2024-11-15", "2023-04-15", "2021-10-15", "2019-08-01"] as const;
export const KEYVAULT_API_VERSIONS = ["2023-07-01", "2022-07-01", "2019-09-01", "2018-02-14"] as const;
export const SERVICEBUS_API_VERSIONS = ["2021-11-01", "2017-04-01"] as const;
export const EVENTHUB_API_VERSIONS = ["2024-01-01", "2021-11-01", "2017-04-01"] as const;
export const DATALAKESTORE_API_VERSIONS = ["2016-11-01"] as const;
export const CONTAINERREGISTRY_API_VERSIONS = ["2023-07-01", "2019-05-01", "2017-10-01"] as const;

/** Microsoft.Authorization (role assignments and definitions; @azure/arm-authorization 9 sends 2022-04-01). */
export const AUTHORIZATION_API_VERSIONS = [
  "2022-04-01",
  "2020-10-01-preview",
  "2018-09-01-preview",
  "2018-01-01-preview",
  "2015-07-01",
] as const;
