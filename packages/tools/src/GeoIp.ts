/** Placeholder until the GeoIp module lands. */
export {}
