"""What the plan is for: the plan document (.docx), open data (JSON/CSV) and sheet values.

Each module takes a Plan; none reads a workbook. Writers write atomically.
"""
