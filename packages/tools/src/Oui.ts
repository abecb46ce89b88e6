/** Placeholder until the Oui module lands. */
export {}
