"""VBA sources of the workbook buttons; installed as the package xlplan._macros."""
