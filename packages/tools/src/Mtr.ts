/** Placeholder until the Mtr module lands. */
export {}
