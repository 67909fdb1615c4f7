export function parseRoutedModelIds(value: string | undefined, defaults: readonly string[], name: string): string[];
