/** Placeholder until the Dns module lands. */
export {}
