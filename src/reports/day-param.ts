/** A local day as a query parameter (`from`, `to`): YYYY-MM-DD, checked to be a real date. */
import { z } from 'zod';
import { isDayKey } from './time-zone.ts';

export const dayParam = z.string().refine(isDayKey, 'expected a date as YYYY-MM-DD');
