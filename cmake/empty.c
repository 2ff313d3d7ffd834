/* Placeholder so that a folder without sources still forms a library. */
typedef int eddy_empty_translation_unit;
