import { z } from 'zod';
import { SymbolSchema, TickSchema, VenueSchema } from './feed-source';

export const TicksPullInputSchema = z.strictObject({
  symbol: SymbolSchema,
  limit: z.number().int().min(1).max(500).default(10),
  venue: VenueSchema.default('sim'),
});
export type TicksPullInput = z.output<typeof TicksPullInputSchema>;

export const TicksPullOutputSchema = z.object({
  symbol: SymbolSchema,
  venue: VenueSchema,
  /** The seq of the last tick delivered so far on this stream (0 before any). */
  cursor: z.number().int().nonnegative(),
  items: z.array(TickSchema),
  authBinding: z.string().min(1),
});
export type TicksPullOutput = z.output<typeof TicksPullOutputSchema>;

export const AlertConfigSchema = z.strictObject({
  symbol: SymbolSchema,
  venue: VenueSchema.default('sim'),
  /** Alert when the mid price crosses this level in `direction`. */
  threshold: z.number().finite().positive(),
  direction: z.enum(['above', 'below']),
  /** Ticks examined per poll. */
  batchSize: z.number().int().min(1).max(1_000).default(100),
});
export type AlertConfig = z.output<typeof AlertConfigSchema>;

export const AlertSignalSchema = z.strictObject({
  symbol: SymbolSchema,
  venue: VenueSchema,
  price: z.number().finite(),
  threshold: z.number().finite(),
  direction: z.enum(['above', 'below']),
  seq: z.number().int().positive(),
  ts: z.iso.datetime({ offset: true }),
});
export type AlertSignal = z.output<typeof AlertSignalSchema>;
