// ONNX node attributes. JS numbers do not say whether they are ints or floats, so each attribute value
// carries its kind explicitly: `attr.int(2)`, `attr.floats([0.5])`.

export type OnnxAttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

export const attr = {
  int: (value: number): OnnxAttributeValue => ({ kind: 'int', value }),
  ints: (value: readonly number[]): OnnxAttributeValue => ({ kind: 'ints', value: [...value] }),
  float: (value: number): OnnxAttributeValue => ({ kind: 'float', value }),
  floats: (value: readonly number[]): OnnxAttributeValue => ({ kind: 'floats', value: [...value] }),
  string: (value: string): OnnxAttributeValue => ({ kind: 'string', value }),
} as const;
