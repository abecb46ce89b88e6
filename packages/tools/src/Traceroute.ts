/** Placeholder until the Traceroute module lands. */
export {}
