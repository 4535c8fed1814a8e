Attribute VB_Name = "XlplanMacros"
Option Explicit

' xlplan buttons. Each Sub starts Python through xlwings' RunPython and calls
' one function of the fixed ASCII module xlplan.excel, so the workbook's own
' name (often Japanese) never becomes a Python module name.
' Keep this module thin: all logic lives in Python.

Sub PopulateFromCatalog()
    RunPython "import xlplan.excel as x; x.populate()"
End Sub

Sub ValidatePlan()
    RunPython "import xlplan.excel as x; x.validate()"
End Sub

Sub RedrawSchedule()
    RunPython "import xlplan.excel as x; x.redraw_schedule()"
End Sub

Sub ClearMarks()
    RunPython "import xlplan.excel as x; x.clear_marks()"
End Sub

Sub Doctor()
    RunPython "import xlplan.excel as x; x.doctor()"
End Sub

Sub UpdateProgress()
    RunPython "import xlplan.excel as x; x.update_progress()"
End Sub

Sub ExportDocument()
    RunPython "import xlplan.excel as x; x.export_document()"
End Sub

Sub ShowActualsOnSchedule()
    RunPython "import xlplan.excel as x; x.show_actuals_on_schedule()"
End Sub

Sub ExportProgressReport()
    RunPython "import xlplan.excel as x; x.export_progress_report()"
End Sub
