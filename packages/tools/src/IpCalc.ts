/** Placeholder until the IpCalc module lands. */
export {}
