"""The package layer: a workbook file edited part by part, never round-tripped through openpyxl.

One module per job, each importing only the ones listed before it (bottom first):

    refs        Move (rows or columns inserted/deleted) and A1 ranges after it      no package access
    formulas    formula text: references moved, translated, sheets renamed/removed
    safexml     safe XML parsing (no DTD, no entities) and writing back; namespaces
    zipcheck    a workbook file checked before reading (bombs, CRCs, DTDs, encryption)
    physical    zip in and out (unchanged parts copied compressed), atomic file write; the lock's place
    parts       Package (the parts being edited), part names, relationships, content types, calc chain
    cellvalues  one cell's value written and read
    sheetdata   a worksheet's <sheetData>: blocks of values, clearing, fitting rows, renumbering cells
    shared      shared-formula groups that a move would break, expanded to cell formulas
    worksheet   the rest of a worksheet that follows a move: ranges, formulas, anchors, <cols>, breaks
    colwidths   column widths set in <cols> (SetColumnWidths), other column attributes kept
    validations  a data validation set on a block of one column (SetValidation)
    merges      a merged cell set over one row's block, overlapping merges undone (MergeCells)
    numformats  a number format set on a block of one column (SetNumberFormat), through copies in styles.xml
    anchors     VML and DrawingML shapes on cells (notes, buttons, pictures, charts)
    references  every place outside a sheet that names it (names, formulas, charts, pivot caches, links)
    followers   a sheet's related parts and the references to it, following a move; refusals
    sheetlist   workbook.xml's sheets, sheet-scoped names (localSheetId), active tab; app.xml titles; name rules
    structure   sheets added (empty or copied), renamed, removed, with every reference kept consistent
    patch       the write operations (apply_ops, patch_package, edit_package): the entry module

The names below are the layer's public face; the rest of xlplan imports them from here.
"""

from xlplan.adapters.package.formulas import shift_formula
from xlplan.adapters.package.parts import Package, sheet_part_map
from xlplan.adapters.package.patch import apply_ops, edit_package, patch_package
from xlplan.adapters.package.refs import shift_refs
from xlplan.adapters.package.safexml import has_dtd
from xlplan.adapters.package.structure import add_sheet, remove_sheet, rename_sheet

__all__ = ["Package", "add_sheet", "apply_ops", "edit_package", "has_dtd", "patch_package", "remove_sheet", "rename_sheet",
           "sheet_part_map", "shift_formula", "shift_refs"]
