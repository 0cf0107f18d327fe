/// <reference types="vite/client" />

// data-* attributes (data-testid, data-value, ...) are valid on every element.
declare module '@vue/runtime-dom' {
  interface HTMLAttributes {
    [key: `data-${string}`]: unknown
  }
}

export {}
