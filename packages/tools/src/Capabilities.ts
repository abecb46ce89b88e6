/** Placeholder until the Capabilities module lands. */
export {}
