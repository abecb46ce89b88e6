/** Placeholder until the Rdap module lands. */
export {}
