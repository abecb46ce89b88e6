/** Placeholder until the Whois module lands. */
export {}
