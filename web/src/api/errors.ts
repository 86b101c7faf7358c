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
  return t(fallbackKey(error.status), { code: error.code });
}

/** A code the catalogue has no text for still says what happened and what to do, by kind. */
function fallbackKey(status: number) {
  if (status === 403) return "error.kind.forbidden" as const;
  if (status === 404) return "error.kind.notFound" as const;
  if (status === 409) return "error.kind.conflict" as const;
  if (status === 400 || status === 422) return "error.kind.invalid" as const;
  if (status === 503) return "error.kind.unavailable" as const;
  return "error.unknown" as const;
}
