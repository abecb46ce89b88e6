/** Placeholder until the Ping module lands. */
export {}
