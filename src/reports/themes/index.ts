/**
 * Comment themes' public face: the theme list (defaults merged with THEMES_JSON), the
 * offline comment tagger, and the job that keeps the surveys' `themes` in step.
 */
export { resolveThemes, themeOverridesSchema, type Theme, type ThemeOverride } from './theme-list.ts';
export { createThemeTagger, type ThemeTagger } from './comment-tagger.ts';
export { ThemeTagging } from './survey-theme-sync.ts';
