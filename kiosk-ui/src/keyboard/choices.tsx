/** A select field as big choice buttons, the chosen one marked (aria-pressed). */
import { KeyButton } from './keys';

export function Choices({ options, value, onChange }: { options: readonly string[]; value: string; onChange: (v: string) => void }) {
  return (
    <div class="keyboard choices" data-testid="kb-choices" role="group" aria-label="请选择一项">
      {options.map((option, i) => (
        <KeyButton testid={`choice-${i}`} key={option} kind="candidate" pressed={value === option} onPress={() => onChange(option)}>
          {value === option ? `✓ ${option}` : option}
        </KeyButton>
      ))}
    </div>
  );
}
