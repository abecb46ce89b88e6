/** Placeholder until the Target module lands. */
export {}
