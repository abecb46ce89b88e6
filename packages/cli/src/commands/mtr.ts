import type { Command } from "../internal/command.js"

/** `netwark mtr`: placeholder until the mtr tool lands. */
export const mtr: Command = {
  name: "mtr",
  summary: "(not built yet)",
  usage: "netwark mtr: not built yet",
  run: async (_argv, io) => {
    io.stderr("netwark mtr: not built yet\n")
    return 1
  },
}
