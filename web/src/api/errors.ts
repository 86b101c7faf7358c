import { hasMessage, t } from "../i18n";
import type { ApiError } from "./client";

/** What to tell the operator about an API error, in French, with what to do. */
export function describeError(error: ApiError): string {
  const key = `error.${error.code}`;
  if (error.code === "account_locked") {
    const minutes = Number(error.details["retry_after_minutes"] ?? 15);
    return t("error.account_locked", { minutes });
  }
  if (error.code === "weak_password") {
    return t("error.weak_password", { detail: error.message.replace(/^password refused: /, "") });
  }
  if (hasMessage(key)) return t(key);
  return t("error.unknown", { code: error.code });
}
