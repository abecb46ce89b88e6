import type { Command } from "../internal/command.js"

/** `netwark whois`: placeholder until the whois tool lands. */
export const whois: Command = {
  name: "whois",
  summary: "(not built yet)",
  usage: "netwark whois: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark whois: not built yet\n")
    return 1
  },
}
