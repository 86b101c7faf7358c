// Form fields the administration tabs share, in the console's look (`.field`, `.field-hint`):
// a select, a textarea and a checkbox. Each section gives the textarea and the checkbox its
// own class (people: ap-*, registry: reg-*).
import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes, useId } from "react";

/** The field's class, its hint id and the hint shown (an error replaces the hint). */
function useHint(error: string | null | undefined, hint: string | undefined) {
  const id = useId();
  const shown = error || hint;
  return { id, hintId: `${id}-hint`, shown, className: error ? "field field-invalid" : "field" };
}

export function SelectField({
  label,
  hint,
  error,
  children,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; hint?: string; error?: string | null; children: ReactNode }) {
  const { id, hintId, shown, className } = useHint(error, hint);
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={shown ? hintId : undefined} {...props}>
        {children}
      </select>
      {shown && (
        <div id={hintId} className="field-hint">
          {shown}
        </div>
      )}
    </div>
  );
}

export type TextAreaProps = TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: string; error?: string | null };

export function TextAreaField({ label, hint, error, ...props }: TextAreaProps) {
  const { id, hintId, shown, className } = useHint(error, hint);
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={shown ? hintId : undefined} {...props} />
      {shown && (
        <div id={hintId} className="field-hint">
          {shown}
        </div>
      )}
    </div>
  );
}

export type CheckProps = Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "type"> & {
  label: ReactNode;
  onChange: (checked: boolean) => void;
};

export function CheckField({ label, className, onChange, ...props }: CheckProps) {
  return (
    <label className={className}>
      <input type="checkbox" onChange={(e) => onChange(e.target.checked)} {...props} />
      <span>{label}</span>
    </label>
  );
}
