// What a tab shows of a load: the spinner, the error (in French, with "Réessayer"), else what
// it renders of the data.
import type { ReactNode } from "react";
import type { ApiError } from "../../api/client";
import { ErrorState, Spinner } from "../../components/ui";
import type { Load } from "./load";

export function Loaded<T>({
  load,
  reload,
  loadingLabel,
  explain,
  children,
}: {
  load: Load<T>;
  reload: () => void;
  loadingLabel: string;
  explain: (error: ApiError) => string;
  children: (data: T) => ReactNode;
}) {
  if (load.state === "loading") return <Spinner label={loadingLabel} />;
  if (load.state === "error") return <ErrorState message={explain(load.error)} onRetry={reload} />;
  return <>{children(load.data)}</>;
}
