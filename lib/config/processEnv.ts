/** The process environment (app settings in Azure). The only place outside tests that reads `process.env`. */
export function readProcessEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
