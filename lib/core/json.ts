/** The one plain-JSON value type of the library: what params, saved state and widget messages are made of. */

/** A plain-JSON value: null, a boolean, a number, a string, an array or an object of JSON values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The read-only view of {@link JsonValue}, for values a function only reads (every JsonValue is one). */
export type ReadonlyJsonValue =
  null | boolean | number | string | readonly ReadonlyJsonValue[] | { readonly [key: string]: ReadonlyJsonValue };
