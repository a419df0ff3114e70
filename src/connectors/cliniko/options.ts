/**
 * A Cliniko connection's `options`: Cliniko requires every request to carry a User-Agent naming
 * the app and a contact email ("Really helpful app (devs@helpfulapp.com)"), and may block
 * requests without one, so the email is required configuration, checked when the config loads.
 */
import { z } from 'zod';

export const DEFAULT_APP_NAME = 'Tidemark';

export const clinikoOptionsSchema = z
  .object({
    contactEmail: z.email({
      error: (issue) =>
        issue.input === undefined
          ? 'required: the contact email Cliniko asks for in the User-Agent, e.g. "it@yourclinic.com"'
          : 'an email address such as "it@yourclinic.com" (sent to Cliniko in the User-Agent)',
    }),
    /** The app name in the User-Agent. */
    appName: z
      .string()
      .regex(/^[\w .,&'-]{1,60}$/, 'a short name of letters, digits, spaces and .,&\'- (it goes into the User-Agent header)')
      .default(DEFAULT_APP_NAME),
  })
  .strict();

export type ClinikoOptions = z.infer<typeof clinikoOptionsSchema>;

/** `Tidemark (it@yourclinic.com)`: Cliniko's required `APP_VENDOR_NAME (APP_VENDOR_EMAIL)`. */
export function userAgentOf(options: ClinikoOptions): string {
  return `${options.appName} (${options.contactEmail})`;
}
