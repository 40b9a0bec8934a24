/**
 * The `theme_meta` collection: one document saying which theme list the stored survey
 * themes were last re-tagged with (its fingerprint), so a changed list is noticed.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface ThemeMetaDoc { _id: string; fingerprint: string; retaggedAt: Date }

const themeMetaSchema = new Schema<ThemeMetaDoc>({ _id: String, fingerprint: String, retaggedAt: Date }, { versionKey: false });

export function themeMetaModel(conn: Connection): Model<ThemeMetaDoc> {
  return (conn.models.ThemeMeta as Model<ThemeMetaDoc> | undefined)
    ?? conn.model<ThemeMetaDoc>('ThemeMeta', themeMetaSchema, 'theme_meta');
}
